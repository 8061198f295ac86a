using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-onnx --model MODEL_DIR [--users 4096] [--batch 64] [--threads N] [--cuda] [--json]</c>: full-catalog
/// scoring throughput (users per second) of the exported model.onnx in ONNX Runtime beside the in-process
/// <see cref="IRatingModel.ScoreAll"/> on the same users and batches, with the export time and file size from the manifest.
/// Both sides get the same cores: ONNX Runtime as intra-op threads, the in-process model as one batch per worker; both
/// write into reused output buffers; each figure is the best of three passes.
/// </summary>
internal static class BenchOnnxCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory exported by 'netflixrec export'.");
        Option<int> users = PositiveInt("--users", "Users to score (sampled with a fixed seed; every user when fewer).", 4096);
        Option<int> batch = PositiveInt("--batch", "Users per call (the batch dimension).", 64);
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

    public static IReadOnlyDictionary<string, object?> Run(string modelDirectory, int userCount, int batch, int threads, bool tryCuda, bool json)
    {
        (IRatingModel model, ModelManifest manifest) = ModelStore.Load(modelDirectory);
        OnnxArtifact.Validate(modelDirectory, manifest);
        OnnxSignature onnx = manifest.Onnx!;
        RatingIndex? history = onnx.UserInput == OnnxContract.RatingVectorInput ? UserHistory.Read(Path.Combine(modelDirectory, ModelDirectory.History)) : null;
        int[] users = OnnxParity.SampleUsers(model.Users, userCount, seed: 3);
        int[][] batches = [.. users.Chunk(batch)];
        CliRun.Progress($"bench-onnx: {manifest.Name}, {users.Length:N0} users × {model.Movies:N0} movies in batches of {batch}, {threads} threads");

        using OnnxScorer scorer = OnnxScorer.Open(Path.Combine(modelDirectory, onnx.File), onnx.UserInput, model.Movies, history, threads, tryCuda);
        // Output buffers are allocated once and reused, as a server would: a fresh 2 MB array per call measures the GC.
        var onnxScores = new float[(long)batch * model.Movies];
        (double onnxSeconds, double onnxCpu) = Time(() =>
        {
            foreach (int[] chunk in batches)
            {
                scorer.ScoresInto(chunk, onnxScores);
            }
        }, () => scorer.ScoresInto(batches[0], onnxScores));

        // The in-process model scores one contiguous share of the batches per worker, each with its own buffer.
        float[][] buffers = [.. Enumerable.Range(0, threads).Select(_ => new float[(long)batch * model.Movies])];
        (double inProcessSeconds, double inProcessCpu) = Time(() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
        {
            for (int b = worker; b < batches.Length; b += threads)
            {
                model.ScoreAll(batches[b], buffers[worker]);
            }
        }), () => model.ScoreAll(batches[0], buffers[0]));

        double onnxRate = users.Length / onnxSeconds, inProcessRate = users.Length / inProcessSeconds;
        var result = new Dictionary<string, object?>
        {
            ["model"] = manifest.Name,
            ["users"] = users.Length,
            ["movies"] = model.Movies,
            ["batch"] = batch,
            ["threads"] = threads,
            ["provider"] = scorer.Provider,
            ["onnx_users_per_second"] = Math.Round(onnxRate, 1),
            ["in_process_users_per_second"] = Math.Round(inProcessRate, 1),
            ["onnx_users_per_cpu_second"] = Math.Round(users.Length / onnxCpu, 1),
            ["in_process_users_per_cpu_second"] = Math.Round(users.Length / inProcessCpu, 1),
            ["onnx_bytes"] = onnx.Bytes,
            ["export_seconds"] = onnx.ExportSeconds,
        };
        CliRun.Finish(json, result,
            $"{manifest.Name}: ONNX Runtime ({scorer.Provider}) {onnxRate:N0} users/s ({users.Length / onnxCpu:N0} per CPU-second), " +
            $"in-process ScoreAll {inProcessRate:N0} users/s ({users.Length / inProcessCpu:N0} per CPU-second) " +
            $"({users.Length:N0} users × {model.Movies:N0} movies, batch {batch}, {threads} threads); model.onnx {CliRun.Megabytes(onnx.Bytes)}, exported in {onnx.ExportSeconds:F2} s");
        return result;
    }

    // One untimed warm-up call (JIT, ORT's first-run allocations), then the best of three timed passes (other jobs share
    // the cores): wall seconds, and the process's CPU seconds of that pass, which tell the cost apart from the waiting.
    private static (double Wall, double Cpu) Time(Action pass, Action warmUp)
    {
        warmUp();
        (double Wall, double Cpu) best = (double.PositiveInfinity, 0);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            pass();
            double wall = clock.Elapsed.TotalSeconds;
            if (wall < best.Wall)
            {
                best = (wall, Math.Max((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, 1e-6));
            }
        }

        return best;
    }

    private static Option<int> PositiveInt(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError($"{name} must be at least 1"); } } },
    };
}
