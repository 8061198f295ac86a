namespace NetflixRec.Training.Models;

/// <summary>
/// Settings every trainer shares (each model's config carries them next to its own hyperparameters).
/// <paramref name="Threads"/> 0 means all cores; one thread with a fixed <paramref name="Seed"/> is deterministic.
/// </summary>
public interface ITrainingOptions
{
    int Seed { get; }

    int Threads { get; }

    int MaxEpochs { get; }

    /// <summary>Epochs without a better validation RMSE before stopping (0: never stop early).</summary>
    int Patience { get; }

    double ValidationFraction { get; }
}

public static class TrainingThreads
{
    public static int Resolve(int threads) => threads > 0 ? threads : Environment.ProcessorCount;
}
