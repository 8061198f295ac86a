namespace NetflixRec.Training.Cli;

/// <summary>What <c>netflixrec bench-ae</c> measured: one row per autoencoder. Printed by <c>--json</c> as
/// <c>{"results": [...], "threads"}</c> (<see cref="CliRun.ToJson"/>).</summary>
internal sealed record BenchAeSummary(IReadOnlyList<BenchAeModelTimings> Results, int Threads);

/// <summary>
/// One autoencoder's fixed epochs over the whole training partition: the seconds of each (extrapolated to a whole epoch
/// when only a fraction ran) and its CPU seconds scaled the same way, the peak RSS while training, training ratings per
/// second over all epochs and in the fastest one, and the parameter count. Fields in the order <c>--json</c> prints them.
/// </summary>
internal sealed record BenchAeModelTimings(
    string Model,
    long Ratings,
    int Epochs,
    IReadOnlyList<double> EpochSeconds,
    IReadOnlyList<double> EpochFractionDone,
    bool Extrapolated,
    IReadOnlyList<double> EpochCpuSeconds,
    long PeakRssBytes,
    double RatingsPerSecond,
    double BestEpochRatingsPerSecond,
    long Parameters);
