using System.Text.Json.Nodes;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Models;

/// <summary>
/// How to train one kind of model and how to load its saved tensors back. Hyperparameters arrive as JSON only at the
/// edge (the CLI, the tuner): <see cref="Bind"/> turns them into the model's typed config record once, and
/// <see cref="Train"/> takes that record. Build one with <see cref="Of{TConfig}"/>.
/// </summary>
/// <param name="Bind">Binds JSON hyperparameters to the model's config record; the string names their source in errors.</param>
/// <param name="Train">Trains on a config record that <see cref="Bind"/> made (another model's record is an <see cref="ArgumentException"/>).</param>
public sealed record ModelEntry(
    string Name,
    string Family,
    Func<JsonObject, string, TrainingOptions> Bind,
    Func<TrainingData, TrainingOptions, IProgress<EpochRecord>, TrainedModel> Train,
    Func<IReadOnlyList<NamedTensor>, string, IRatingModel> Load)
{
    /// <summary>The entry of a model whose config record is <typeparamref name="TConfig"/>.</summary>
    public static ModelEntry Of<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train,
        Func<IReadOnlyList<NamedTensor>, string, IRatingModel> load)
        where TConfig : TrainingOptions =>
        new(name, family,
            (hyperparameters, source) => ModelConfig.Bind<TConfig>(hyperparameters, source),
            (data, config, progress) => train(data, config as TConfig
                ?? throw new ArgumentException($"{name} trains on a {typeof(TConfig).Name}, not a {config?.GetType().Name ?? "null"}", nameof(config)), progress),
            load);
}
