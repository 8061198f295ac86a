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
/// <param name="PartialEpochs">Whether the trainer's epochs are batch loops that honor <see cref="TrainingData.Budget"/>, so
/// that <see cref="TrainingOptions.EpochFraction"/> means something; the others train whole epochs in seconds.</param>
public sealed record ModelEntry(
    string Name,
    string Family,
    Func<JsonObject, string, TrainingOptions> Bind,
    Func<TrainingData, TrainingOptions, IProgress<EpochRecord>, TrainedModel> Train,
    Func<IReadOnlyList<NamedTensor>, string, IRatingModel> Load,
    bool PartialEpochs)
{
    /// <summary>The entry of a model whose config record is <typeparamref name="TConfig"/>.</summary>
    public static ModelEntry Of<TConfig>(string name, string family, Func<TrainingData, TConfig, IProgress<EpochRecord>, TrainedModel> train,
        Func<IReadOnlyList<NamedTensor>, string, IRatingModel> load, bool partialEpochs = false)
        where TConfig : TrainingOptions =>
        new(name, family,
            (hyperparameters, source) => ModelConfig.Bind<TConfig>(hyperparameters, source),
            (data, config, progress) =>
            {
                TConfig typed = config as TConfig
                    ?? throw new ArgumentException($"{name} trains on a {typeof(TConfig).Name}, not a {config?.GetType().Name ?? "null"}", nameof(config));
                return train(WithEpochFraction(name, partialEpochs, data, typed), typed, progress);
            },
            load,
            partialEpochs);

    /// <summary>
    /// The data with the config's epoch fraction as its budget. A budget already set (bench-ae/bench-gnn's
    /// <c>--epoch-fraction</c>) wins: the benchmark measures the fraction it was asked for.
    /// </summary>
    private static TrainingData WithEpochFraction(string name, bool partialEpochs, TrainingData data, TrainingOptions config)
    {
        if (config.EpochFraction is not { } fraction)
        {
            return data;
        }

        ConfigCheck.Require(partialEpochs, name, "epoch_fraction", "is not taken: this model trains whole epochs (only the autoencoders and graph models run partial ones)");
        ConfigCheck.Require(fraction is > 0 and <= 1, name, "epoch_fraction", "must be in (0, 1]");
        return ReferenceEquals(data.Budget, EpochBudget.Whole) ? data with { Budget = new EpochBudget(fraction) } : data;
    }
}
