using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models;

/// <summary>How to train one kind of model from hyperparameters, and how to load its saved tensors back.</summary>
public sealed record ModelEntry(
    string Name,
    string Family,
    Func<TrainingData, JsonObject, IProgress<EpochRecord>, TrainedModel> Train,
    Func<IReadOnlyList<NamedTensor>, string, IRatingModel> Load);

/// <summary>Every model name the CLI accepts (<c>--model</c>, <c>--models</c>).</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<ModelEntry> All { get; } =
    [
        FactorEntry<BiasConfig>(BiasBaseline.Name, ModelFamily.Baseline, BiasBaseline.Train),
        FactorEntry<BiasedMfConfig>(BiasedMfSgd.Name, ModelFamily.MatrixFactorization, BiasedMfSgd.Train),
        FactorEntry<TorchBiasedMfConfig>(TorchBiasedMf.Name, ModelFamily.MatrixFactorization, TorchBiasedMf.Train),
        FactorEntry<BiasedMfAlsConfig>(BiasedMfAls.Name, ModelFamily.MatrixFactorization, BiasedMfAls.Train),
        FactorEntry<SvdPlusPlusConfig>(SvdPlusPlus.Name, ModelFamily.MatrixFactorization, SvdPlusPlus.Train),
        Entry<TimeBiasConfig>(TimeBias.Name, ModelFamily.Baseline, TimeBias.Train, (tensors, path) => TimeAwareModel.FromTensors(TimeBias.Name, tensors, path)),
        Entry<TimeSvdPlusPlusConfig>(TimeSvdPlusPlus.Name, ModelFamily.MatrixFactorization, TimeSvdPlusPlus.Train,
            (tensors, path) => TimeAwareModel.FromTensors(TimeSvdPlusPlus.Name, tensors, path)),
        FactorEntry<NonNegativeMfConfig>(NonNegativeMf.Name, ModelFamily.MatrixFactorization, NonNegativeMf.Train),
        Entry<AutoRecConfig>(AutoRec.ItemName, ModelFamily.Autoencoder, AutoRec.TrainItem, (tensors, path) => ItemAutoRecModel.FromTensors(tensors, path)),
        Entry<AutoRecConfig>(AutoRec.UserName, ModelFamily.Autoencoder, AutoRec.TrainUser,
            (tensors, path) => UserAutoencoderModel.FromTensors(AutoRec.UserName, Activation.Sigmoid, tensors, path)),
        Entry<DeepAeConfig>(DeepAutoencoder.Name, ModelFamily.Autoencoder, DeepAutoencoder.Train,
            (tensors, path) => UserAutoencoderModel.FromTensors(DeepAutoencoder.Name, Activation.Selu, tensors, path)),
        Entry<MultVaeConfig>(MultVae.Name, ModelFamily.Autoencoder, MultVae.Train, (tensors, path) => MultVaeModel.FromTensors(tensors, path)),
        .. Graph.GraphModels.Entries,
    ];

    public static IReadOnlyList<string> Names => [.. All.Select(e => e.Name)];

    /// <summary>A model whose trained form is a <see cref="FactorModel"/>: bind the config record, train, load factors.</summary>
    private static ModelEntry FactorEntry<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train) =>
        new(name, family,
            (data, hyperparameters, progress) => train(data, ModelConfig.Bind<TConfig>(hyperparameters, name), progress),
            (tensors, path) => FactorModel.FromTensors(name, family, tensors, path));

    /// <summary>A model with its own trained form: bind the config record, train; <paramref name="load"/> reads it back.</summary>
    private static ModelEntry Entry<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train,
        Func<IReadOnlyList<NamedTensor>, string, IRatingModel> load) =>
        new(name, family, (data, hyperparameters, progress) => train(data, ModelConfig.Bind<TConfig>(hyperparameters, name), progress), load);

    /// <summary>The entry for <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static ModelEntry Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"--model: unknown model '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
