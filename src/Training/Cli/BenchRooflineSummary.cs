namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec bench-roofline</c> measured: dense fp32 GEMM in GFLOP/s (wall, per CPU-second, and per CPU-second
/// times the threads: what they would do with the cores to themselves), STREAM-like copy and triad in GB/s (managed and
/// torch), the ridge point in FLOP per byte above which a kernel is compute-bound, and the share of the cores the run
/// had. Printed by <c>--json</c> in this order (<see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record BenchRooflineSummary(
    int Threads,
    int GemmSize,
    double GemmGflops,
    double GemmGflopsPerCpuSecond,
    double GemmGflopsDedicated,
    long StreamBytesPerArray,
    double ManagedCopyGbps,
    double ManagedTriadGbps,
    double TorchCopyGbps,
    double TorchTriadGbps,
    double RidgeFlopsPerByte,
    double CpuUtilization,
    double Seconds);
