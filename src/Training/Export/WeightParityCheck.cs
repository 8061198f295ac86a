using NetflixRec.Contracts;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Export;

/// <summary>The gate a reduced weight layout must pass at export: the least mean top-10 overlap and the largest score difference allowed.</summary>
public sealed record WeightGate(double MinTop10Overlap, double MaxScoreDifference)
{
    /// <summary>At least 9 of 10 recommendations kept on average, and no score off by more than 0.05 stars.</summary>
    public static WeightGate Default { get; } = new(0.9, 0.05);
}

/// <summary>
/// The export-time parity gate of a reduced weight layout: the graph's full score rows and pair scores in ONNX Runtime
/// against the fp32 model itself (<see cref="IRatingModel.ScoreAll"/>, <see cref="IRatingModel.Predict"/>) over
/// sampled users, as a <see cref="WeightParity"/>.
/// </summary>
public static class WeightParityCheck
{
    /// <summary>Users whose full rows the gate compares (the exact fp32 gate uses fewer: it checks the graph, this checks the rounding).</summary>
    public const int CheckedUsers = 1000;

    private const int PairsPerUser = 16;
    private const int ChunkUsers = 100;

    public static WeightParity Check(IRatingModel model, string onnxPath, WeightLayout weights, WeightGate gate, int[] users, int seed = 1)
    {
        using OnnxScorer scorer = OnnxScorer.Open(onnxPath, OnnxContract.IndexInput, model.Movies);
        int movies = model.Movies;
        double overlapSum = 0, overlapMin = 1, maxScore = 0;
        var expected = new float[ChunkUsers * movies];
        var actual = new float[ChunkUsers * movies];
        // In chunks: 1,000 users × 17,770 movies is 71 MB per copy.
        for (int start = 0; start < users.Length; start += ChunkUsers)
        {
            ReadOnlySpan<int> chunk = users.AsSpan(start, Math.Min(ChunkUsers, users.Length - start));
            model.ScoreAll(chunk, expected);
            scorer.ScoresInto(chunk, actual);
            for (int i = 0; i < chunk.Length; i++)
            {
                ReadOnlySpan<float> mine = expected.AsSpan(i * movies, movies);
                ReadOnlySpan<float> theirs = actual.AsSpan(i * movies, movies);
                maxScore = Math.Max(maxScore, MaxDifference(theirs, mine));
                double overlap = TopK.Select(theirs, OnnxParity.TopN).Intersect(TopK.Select(mine, OnnxParity.TopN)).Count() / (double)OnnxParity.TopN;
                overlapSum += overlap;
                overlapMin = Math.Min(overlapMin, overlap);
            }
        }

        var random = new Random(seed);
        int[] pairUsers = [.. users.SelectMany(u => Enumerable.Repeat(u, PairsPerUser))];
        short[] pairMovies = [.. pairUsers.Select(_ => (short)random.Next(movies))];
        var predicted = new float[pairUsers.Length];
        model.Predict(pairUsers, pairMovies, predicted);
        float[] onnxPairs = scorer.PairScores(pairUsers, pairMovies);
        return new WeightParity(weights.Name(), users.Length, pairUsers.Length, overlapSum / users.Length, overlapMin,
            maxScore, MaxDifference(onnxPairs, predicted), gate.MinTop10Overlap, gate.MaxScoreDifference);
    }

    /// <summary>Why an export was refused, with the figures.</summary>
    public static string Describe(WeightParity parity) =>
        FormattableString.Invariant(
            $"{parity.Weights} weights on {parity.Users} users: top-10 overlap mean {parity.MeanTop10Overlap:F3} (min {parity.MinTop10Overlap:F1}; gate ≥ {parity.MinTop10OverlapGate:F3}), ") +
        FormattableString.Invariant(
            $"max |Δ score| {parity.MaxScoreDifference:F4} (pairs {parity.MaxPairDifference:F4}; gate ≤ {parity.MaxScoreDifferenceGate:F4})");

    private static double MaxDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            // NaN anywhere fails the gate rather than being skipped.
            max = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(max, difference);
        }

        return max;
    }
}
