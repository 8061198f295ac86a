namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec bench-sgd</c> measured: biased-mf's SGD epochs over the training partition, in seconds and million
/// rating-updates per second (wall and CPU), with the final train RMSE. Printed by <c>--json</c> in this order
/// (<see cref="CliRun.ToJson"/>); <c>MUpdatesPerSecond</c> prints as <c>m_updates_per_second</c>.
/// </summary>
internal sealed record BenchSgdSummary(
    long Ratings,
    int Factors,
    int Threads,
    int GridBlocks,
    int Epochs,
    double LoadSeconds,
    double SetupSeconds,
    double SecondsPerEpoch,
    IReadOnlyList<double> EpochSeconds,
    double MUpdatesPerSecond,
    double BestEpochMUpdatesPerSecond,
    double CpuSecondsPerEpoch,
    double MUpdatesPerCpuSecond,
    double TrainRmse,
    long PeakRssBytes);
