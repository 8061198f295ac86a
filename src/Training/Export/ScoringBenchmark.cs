using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Export;

/// <summary>
/// Full-catalog scoring throughput of one exported model, ONNX Runtime beside the in-process model: users per wall
/// second, and per CPU-second of the process (steadier when other jobs share the cores).
/// </summary>
public sealed record ScoringThroughput(string Model, int Users, int Movies, int Batch, int Threads, string Provider,
    double OnnxUsersPerSecond, double InProcessUsersPerSecond, double OnnxUsersPerCpuSecond, double InProcessUsersPerCpuSecond)
{
    public double OnnxMsPerUser => 1000.0 / OnnxUsersPerSecond;

    public double InProcessMsPerUser => 1000.0 / InProcessUsersPerSecond;
}

/// <summary>
/// Times scoring every movie for a fixed sample of users, in batches, on both sides with the same cores: ONNX Runtime as
/// intra-op threads on model.onnx, the in-process <see cref="IRatingModel.ScoreAll"/> as one share of the batches per
/// worker. Both write into reused output buffers, as a server would (a fresh 2 MB array per call measures the GC).
/// </summary>
public static class ScoringBenchmark
{
    public static ScoringThroughput Measure(string modelDirectory, int userCount, int batch, int threads, bool tryCuda, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        (IRatingModel model, ModelManifest manifest) = ModelStore.Load(modelDirectory);
        OnnxArtifact.Validate(modelDirectory, manifest);
        OnnxSignature onnx = manifest.Onnx!;
        RatingIndex? history = onnx.UserInput == OnnxContract.RatingVectorInput ? UserHistory.Read(Path.Combine(modelDirectory, ModelDirectory.History)) : null;
        int[] users = OnnxParity.SampleUsers(model.Users, userCount, seed: 3);
        int[][] batches = [.. users.Chunk(batch)];
        // A time-aware graph scores each user on a day: the user's default day, as the in-process ScoreAll does.
        short[][] days = model is IDatedRatingModel dated ? [.. batches.Select(chunk => chunk.Select(dated.DefaultDay).ToArray())] : [.. batches.Select(_ => Array.Empty<short>())];
        progress($"scoring: {manifest.Name}, {users.Length:N0} users × {model.Movies:N0} movies in batches of {batch}, {threads} threads");

        using OnnxScorer scorer = OnnxScorer.Open(Path.Combine(modelDirectory, onnx.File), onnx.UserInput, model.Movies, history, threads, tryCuda);
        var onnxScores = new float[(long)batch * model.Movies];
        (double onnxSeconds, double onnxCpu) = Time(() =>
        {
            for (int b = 0; b < batches.Length; b++)
            {
                scorer.ScoresInto(batches[b], days[b], onnxScores);
            }
        }, () => scorer.ScoresInto(batches[0], days[0], onnxScores));

        float[][] buffers = [.. Enumerable.Range(0, threads).Select(_ => new float[(long)batch * model.Movies])];
        (double inProcessSeconds, double inProcessCpu) = Time(() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
        {
            for (int b = worker; b < batches.Length; b += threads)
            {
                model.ScoreAll(batches[b], buffers[worker]);
            }
        }), () => model.ScoreAll(batches[0], buffers[0]));

        return new ScoringThroughput(manifest.Name, users.Length, model.Movies, batch, threads, scorer.Provider,
            users.Length / onnxSeconds, users.Length / inProcessSeconds, users.Length / onnxCpu, users.Length / inProcessCpu);
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
}
