namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec bench-onnx</c> measured: full-catalog users per second (and per CPU-second, rounded to 0.1) in
/// ONNX Runtime and in process, with the model.onnx size and export time from the manifest. Printed by <c>--json</c>
/// in this order (<see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record BenchOnnxSummary(
    string Model,
    int Users,
    int Movies,
    int Batch,
    int Threads,
    string Provider,
    double OnnxUsersPerSecond,
    double InProcessUsersPerSecond,
    double OnnxUsersPerCpuSecond,
    double InProcessUsersPerCpuSecond,
    long OnnxBytes,
    double ExportSeconds);
