using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Export;

/// <summary>Full-catalog scoring throughput of one exported model: ONNX Runtime beside the in-process model.</summary>
public sealed record ScoringThroughput(string Model, int Users, int Movies, int Batch, int Threads, string Provider,
    double OnnxUsersPerSecond, double InProcessUsersPerSecond)
{
    public double OnnxMsPerUser => 1000.0 / OnnxUsersPerSecond;

    public double InProcessMsPerUser => 1000.0 / InProcessUsersPerSecond;
}

/// <summary>
/// Times scoring every movie for a fixed sample of users, in batches, on both sides with the same cores: ONNX Runtime as
/// intra-op threads on model.onnx, the in-process <see cref="IRatingModel.ScoreAll"/> as one batch per worker. One
/// untimed warm-up call each (JIT, ORT's first-run allocations).
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
        progress($"scoring: {manifest.Name}, {users.Length:N0} users × {model.Movies:N0} movies in batches of {batch}, {threads} threads");

        using OnnxScorer scorer = OnnxScorer.Open(Path.Combine(modelDirectory, onnx.File), onnx.UserInput, model.Movies, history, threads, tryCuda);
        double onnxSeconds = Time(() =>
        {
            foreach (int[] chunk in batches)
            {
                _ = scorer.Scores(chunk);
            }
        }, () => scorer.Scores(batches[0]));

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double inProcessSeconds = Time(() => Parallel.ForEach(batches, options, chunk =>
        {
            var scores = new float[(long)chunk.Length * model.Movies];
            model.ScoreAll(chunk, scores);
        }), () => model.ScoreAll(batches[0], new float[(long)batches[0].Length * model.Movies]));

        return new ScoringThroughput(manifest.Name, users.Length, model.Movies, batch, threads, scorer.Provider,
            users.Length / onnxSeconds, users.Length / inProcessSeconds);
    }

    private static double Time(Action pass, Action warmUp)
    {
        warmUp();
        var clock = Stopwatch.StartNew();
        pass();
        return clock.Elapsed.TotalSeconds;
    }
}
