namespace NetflixRec.Training.Cli;

/// <summary>What <c>netflixrec bench-gnn</c> measured: one row per graph model. Printed by <c>--json</c> as
/// <c>{"threads", "results": [...]}</c> (<see cref="CliRun.ToJson"/>).</summary>
internal sealed record BenchGnnSummary(int Threads, IReadOnlyList<BenchGnnModelTimings> Results);

/// <summary>
/// One graph model's fixed epochs: wall seconds of each (as measured, and extrapolated to a whole epoch when only a
/// fraction ran), CPU seconds of each epoch alone and with its RMSE checks, everything outside the epochs (graph and
/// adjacency construction, parameters, checks), resident memory before, after each epoch (which must stay flat) and at
/// the peak, and the last validation RMSE. Fields in the order <c>--json</c> prints them.
/// </summary>
internal sealed record BenchGnnModelTimings(
    string Model,
    long Ratings,
    int Users,
    int Movies,
    int Epochs,
    IReadOnlyList<double> EpochSeconds,
    IReadOnlyList<double> EpochFractionDone,
    double SecondsPerEpoch,
    bool Extrapolated,
    IReadOnlyList<double> EpochCpuSeconds,
    IReadOnlyList<double> CpuSecondsWithChecks,
    double RatingsPerSecond,
    double SetupAndValidationSeconds,
    long RssBeforeBytes,
    IReadOnlyList<long> RssAfterEpochBytes,
    long PeakRssBytes,
    double ValidationRmse);
