using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models;

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
        Entry<AutoRecConfig>(AutoRec.ItemName, ModelFamily.Autoencoder, AutoRec.TrainItem, (tensors, path) => ItemAutoRecModel.FromTensors(tensors, path), partialEpochs: true),
        Entry<AutoRecConfig>(AutoRec.UserName, ModelFamily.Autoencoder, AutoRec.TrainUser,
            (tensors, path) => UserAutoencoderModel.FromTensors(AutoRec.UserName, Activation.Sigmoid, tensors, path), partialEpochs: true),
        Entry<DeepAeConfig>(DeepAutoencoder.Name, ModelFamily.Autoencoder, DeepAutoencoder.Train,
            (tensors, path) => UserAutoencoderModel.FromTensors(DeepAutoencoder.Name, Activation.Selu, tensors, path), partialEpochs: true),
        Entry<MultVaeConfig>(MultVae.Name, ModelFamily.Autoencoder, MultVae.Train, (tensors, path) => MultVaeModel.FromTensors(tensors, path), partialEpochs: true),
        .. Graph.GraphModels.Entries,
    ];

    public static IReadOnlyList<string> Names => [.. All.Select(e => e.Name)];

    /// <summary>A model whose trained form is a <see cref="FactorModel"/>.</summary>
    private static ModelEntry FactorEntry<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train)
        where TConfig : TrainingOptions =>
        ModelEntry.Of(name, family, train, (tensors, path) => FactorModel.FromTensors(name, family, tensors, path));

    /// <summary>A model with its own trained form, which <paramref name="load"/> reads back.</summary>
    private static ModelEntry Entry<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train,
        Func<IReadOnlyList<NamedTensor>, string, IRatingModel> load, bool partialEpochs = false)
        where TConfig : TrainingOptions =>
        ModelEntry.Of(name, family, train, load, partialEpochs);

    /// <summary>
    /// The defaults of <paramref name="name"/> overridden by <paramref name="overrides"/>, bound to the model's config
    /// record (<paramref name="source"/> names the overrides in errors): what the CLI does with <c>--config</c>.
    /// </summary>
    public static TrainingOptions Configure(string name, JsonObject? overrides, string source) =>
        Find(name).Bind(ModelConfig.Merge(name, overrides), source);

    /// <summary>The entry for <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static ModelEntry Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"--model: unknown model '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
