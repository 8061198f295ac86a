using System.CommandLine;
using NetflixRec.Contracts;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-onnx --model MODEL_DIR [--users 4096] [--batch 64] [--threads N] [--cuda] [--json]</c>: full-catalog
/// scoring throughput (users per second) of the exported model.onnx in ONNX Runtime beside the in-process
/// <see cref="IRatingModel.ScoreAll"/> on the same users and batches, with the export time and file size from the manifest.
/// The measurement is <see cref="ScoringBenchmark"/> (shared with <c>compare</c>); each figure is the best of three passes.
/// </summary>
internal static class BenchOnnxCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory exported by 'netflixrec export'.");
        Option<int> users = CommonOptions.PositiveInt("--users", "Users to score (sampled with a fixed seed; every user when fewer).", 4096);
        Option<int> batch = CommonOptions.PositiveInt("--batch", "Users per call (the batch dimension).", 64);
        Option<int> threads = CommonOptions.Threads();
        var cuda = new Option<bool>("--cuda") { Description = "Try the CUDA execution provider first (falls back to CPU)." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench-onnx", "Full-catalog scoring throughput: ONNX Runtime on model.onnx vs the in-process model.")
        {
            model, users, batch, threads, cuda, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(model), parse.GetValue(users), parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(cuda), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static BenchOnnxSummary Run(string modelDirectory, int userCount, int batch, int threads, bool tryCuda, bool json)
    {
        ScoringThroughput m = ScoringBenchmark.Measure(modelDirectory, userCount, batch, threads, tryCuda, CliRun.Progress);
        OnnxSignature onnx = ModelStore.ReadManifest(modelDirectory).Onnx!;
        var result = new BenchOnnxSummary(
            Model: m.Model,
            Users: m.Users,
            Movies: m.Movies,
            Batch: batch,
            Threads: threads,
            Provider: m.Provider,
            OnnxUsersPerSecond: Math.Round(m.OnnxUsersPerSecond, 1),
            InProcessUsersPerSecond: Math.Round(m.InProcessUsersPerSecond, 1),
            OnnxUsersPerCpuSecond: Math.Round(m.OnnxUsersPerCpuSecond, 1),
            InProcessUsersPerCpuSecond: Math.Round(m.InProcessUsersPerCpuSecond, 1),
            OnnxBytes: onnx.Bytes,
            ExportSeconds: onnx.ExportSeconds);
        CliRun.Finish(json, result,
            $"{m.Model}: ONNX Runtime ({m.Provider}) {m.OnnxUsersPerSecond:N0} users/s ({m.OnnxUsersPerCpuSecond:N0} per CPU-second), " +
            $"in-process ScoreAll {m.InProcessUsersPerSecond:N0} users/s ({m.InProcessUsersPerCpuSecond:N0} per CPU-second) " +
            $"({m.Users:N0} users × {m.Movies:N0} movies, batch {batch}, {threads} threads); model.onnx {CliRun.Megabytes(onnx.Bytes)}, exported in {onnx.ExportSeconds:F2} s");
        return result;
    }
}
