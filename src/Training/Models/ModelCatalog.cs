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
    ];

    public static IReadOnlyList<string> Names => [.. All.Select(e => e.Name)];

    /// <summary>The entry for <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static ModelEntry Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"--model: unknown model '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
