using System.Globalization;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Export;

/// <summary>
/// How ONNX Runtime's outputs compare with the in-process model on sampled users: the largest difference of a full score
/// row (against <see cref="IRatingModel.ScoreAll"/>) and of pair scores (against <see cref="IRatingModel.Predict"/>),
/// relative to max(1, |score|), and how many users' top-10 lists differ — at all, and beyond what a tie within the
/// tolerance explains.
/// </summary>
public sealed record ParityReport(int Users, int Pairs, double MaxScoreDifference, double MaxPairDifference, int Top10Different, int Top10Unexplained)
{
    public bool Passed => MaxScoreDifference <= OnnxParity.Tolerance && MaxPairDifference <= OnnxParity.Tolerance && Top10Unexplained == 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Users} users, {Pairs} pairs: max |Δ| {MaxScoreDifference:E2} (scores), {MaxPairDifference:E2} (pairs), top-10 differs for {Top10Different} users ({Top10Unexplained} beyond ties); tolerance {OnnxParity.Tolerance:E0}");
}

/// <summary>Parity of an exported graph with the model it came from (the export gate and the tests).</summary>
public static class OnnxParity
{
    public const double Tolerance = 1e-4;

    public const int TopN = 10;

    /// <summary>Movies per user compared through pair_scores (plus the first and the last movie).</summary>
    public const int PairsPerUser = 16;

    /// <summary><paramref name="count"/> distinct users, always including the first and the last, the rest drawn by the seed.</summary>
    public static int[] SampleUsers(int users, int count, int seed)
    {
        if (users <= count)
        {
            return [.. Enumerable.Range(0, users)];
        }

        var random = new Random(seed);
        var chosen = new SortedSet<int> { 0, users - 1 };
        while (chosen.Count < count)
        {
            chosen.Add(random.Next(users));
        }

        return [.. chosen];
    }

    public static ParityReport Check(IRatingModel model, string onnxPath, string userInput, RatingIndex? history, int[] users, int seed = 1)
    {
        using OnnxScorer scorer = OnnxScorer.Open(onnxPath, userInput, model.Movies, history);
        int movies = model.Movies;
        // A time-aware model is compared on each user's default day (a training day: the per-day bias is in play) for
        // full rows, and on a mix of training and unseen days for pairs.
        var dated = model as IDatedRatingModel;
        short[] days = dated is null ? [] : [.. users.Select(dated.DefaultDay)];
        float[] onnx = scorer.Scores(users, days);
        var expected = new float[(long)users.Length * movies];
        if (dated is null)
        {
            model.ScoreAll(users, expected);
        }
        else
        {
            dated.ScoreAll(users, days, expected);
        }

        double maxScore = MaxDifference(onnx, expected);

        int different = 0, unexplained = 0;
        for (int i = 0; i < users.Length; i++)
        {
            ReadOnlySpan<float> mine = expected.AsSpan(i * movies, movies);
            int[] theirs = TopK.Select(onnx.AsSpan(i * movies, movies), TopN);
            int[] ours = TopK.Select(mine, TopN);
            if (!theirs.AsSpan().SequenceEqual(ours))
            {
                different++;
                // A swap is explained when each movie ONNX ranks in its top-10 scores (by the model) within the tolerance of the model's top-10.
                float floor = mine[ours[^1]] - (float)(Tolerance * Math.Max(1, Math.Abs(mine[ours[^1]])));
                foreach (int movie in theirs)
                {
                    if (mine[movie] < floor)
                    {
                        unexplained++;
                        break;
                    }
                }
            }
        }

        (int[] pairUsers, short[] pairMovies) = SamplePairs(users, movies, seed);
        var predicted = new float[pairUsers.Length];
        short[] pairDays = [];
        if (dated is null)
        {
            model.Predict(pairUsers, pairMovies, predicted);
        }
        else
        {
            pairDays = SampleDays(dated, pairUsers, seed);
            dated.Predict(pairUsers, pairMovies, pairDays, predicted);
        }

        float[] onnxPairs = scorer.PairScores(pairUsers, pairMovies, pairDays);
        return new ParityReport(users.Length, pairUsers.Length, maxScore, MaxDifference(onnxPairs, predicted), different, unexplained);
    }

    private static (int[] Users, short[] Movies) SamplePairs(int[] users, int movies, int seed)
    {
        var random = new Random(seed);
        var pairUsers = new List<int>();
        var pairMovies = new List<short>();
        foreach (int user in users)
        {
            for (int j = 0; j < PairsPerUser + 2; j++)
            {
                pairUsers.Add(user);
                pairMovies.Add((short)(j == 0 ? 0 : j == 1 ? movies - 1 : random.Next(movies)));
            }
        }

        return ([.. pairUsers], [.. pairMovies]);
    }

    // Every other pair on the user's default day, the rest on days up to a year either side of it (mostly unseen days).
    private static short[] SampleDays(IDatedRatingModel model, int[] users, int seed)
    {
        var random = new Random(seed + 1);
        var days = new short[users.Length];
        for (int p = 0; p < users.Length; p++)
        {
            short home = model.DefaultDay(users[p]);
            days[p] = p % 2 == 0 ? home : (short)Math.Clamp(home + random.Next(-365, 366), 0, short.MaxValue);
        }

        return days;
    }

    private static double MaxDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1, Math.Abs((double)expected[i]));
            // NaN anywhere is a failure, not a silently skipped comparison.
            max = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(max, difference);
        }

        return max;
    }
}
