using System.Text.Json.Serialization;

namespace NetflixRec.Training.Models;

/// <summary>
/// The settings every trainer shares, declared once: each model's config record derives from this record (through
/// <see cref="EarlyStoppingOptions"/> when it keeps its best epoch) and adds its own hyperparameters. They are init
/// properties, not constructor parameters, so the JSON stays flat (<c>{"factors": 64, …, "seed": 1}</c>) and
/// defaults.json and users' config files bind unchanged; <c>required</c> makes a missing one a binding error naming it.
/// <see cref="Threads"/> 0 means all cores; one thread with a fixed <see cref="Seed"/> is deterministic.
/// <see cref="ConfigCheck.TrainingOptions"/> checks them, and every trainer calls it first.
/// </summary>
public abstract record TrainingOptions
{
    public required int Seed { get; init; }

    public required int Threads { get; init; }

    public required int MaxEpochs { get; init; }

    /// <summary>The share of the training ratings held out as the validation slice (see <see cref="TrainingData.Prepare"/>).</summary>
    public required double ValidationFraction { get; init; }

    /// <summary>
    /// Run only this share of each epoch's batches (a fresh shuffle every epoch), or whole epochs when null (the default,
    /// never written back). For time-boxed runs at Netflix size, where one neural epoch takes hours on a laptop; only the
    /// models whose epochs are batch loops take it (<see cref="ModelEntry.PartialEpochs"/>): the others are refused.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EpochFraction { get; init; }
}

/// <summary>
/// The shared settings of a trainer that keeps its best epoch by validation RMSE and stops early (every trainer but
/// <c>mult-vae</c>, a ranking model that keeps its last epoch).
/// </summary>
public abstract record EarlyStoppingOptions : TrainingOptions
{
    /// <summary>Epochs without a better validation RMSE before stopping (0: never stop early).</summary>
    public required int Patience { get; init; }
}

public static class TrainingThreads
{
    public static int Resolve(int threads) => threads > 0 ? threads : Environment.ProcessorCount;
}
