using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.MatrixFactorization;

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
        new(BiasBaseline.Name, ModelFamily.Baseline,
            (data, hyper, progress) => BiasBaseline.Train(data, ModelConfig.Bind<BiasConfig>(hyper, BiasBaseline.Name), progress),
            (tensors, path) => FactorModel.FromTensors(BiasBaseline.Name, ModelFamily.Baseline, tensors, path)),
        new(BiasedMfSgd.Name, ModelFamily.MatrixFactorization,
            (data, hyper, progress) => BiasedMfSgd.Train(data, ModelConfig.Bind<BiasedMfConfig>(hyper, BiasedMfSgd.Name), progress),
            (tensors, path) => FactorModel.FromTensors(BiasedMfSgd.Name, ModelFamily.MatrixFactorization, tensors, path)),
        new(TorchBiasedMf.Name, ModelFamily.MatrixFactorization,
            (data, hyper, progress) => TorchBiasedMf.Train(data, ModelConfig.Bind<TorchBiasedMfConfig>(hyper, TorchBiasedMf.Name), progress),
            (tensors, path) => FactorModel.FromTensors(TorchBiasedMf.Name, ModelFamily.MatrixFactorization, tensors, path)),
        new(BiasedMfAls.Name, ModelFamily.MatrixFactorization,
            (data, hyper, progress) => BiasedMfAls.Train(data, ModelConfig.Bind<BiasedMfAlsConfig>(hyper, BiasedMfAls.Name), progress),
            (tensors, path) => FactorModel.FromTensors(BiasedMfAls.Name, ModelFamily.MatrixFactorization, tensors, path)),
        new(SvdPlusPlus.Name, ModelFamily.MatrixFactorization,
            (data, hyper, progress) => SvdPlusPlus.Train(data, ModelConfig.Bind<SvdPlusPlusConfig>(hyper, SvdPlusPlus.Name), progress),
            (tensors, path) => FactorModel.FromTensors(SvdPlusPlus.Name, ModelFamily.MatrixFactorization, tensors, path)),
        new(NonNegativeMf.Name, ModelFamily.MatrixFactorization,
            (data, hyper, progress) => NonNegativeMf.Train(data, ModelConfig.Bind<NonNegativeMfConfig>(hyper, NonNegativeMf.Name), progress),
            (tensors, path) => FactorModel.FromTensors(NonNegativeMf.Name, ModelFamily.MatrixFactorization, tensors, path)),
    ];

    public static IReadOnlyList<string> Names => [.. All.Select(e => e.Name)];

    /// <summary>The entry for <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static ModelEntry Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"--model: unknown model '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
