namespace NetflixRec.Training.Data.Transforms;

/// <summary>Counts and mean ratings per user and per movie, and the global mean, of a rating table.</summary>
public sealed record RatingStatistics(
    double GlobalMean,
    ReadOnlyMemory<int> UserCounts,
    ReadOnlyMemory<float> UserMeans,
    ReadOnlyMemory<int> MovieCounts,
    ReadOnlyMemory<float> MovieMeans)
{
    /// <summary>The mean rating; 0 for an empty table.</summary>
    public static double MeanOf(RatingTable table)
    {
        long sum = 0;
        foreach (byte r in table.Ratings.Span)
        {
            sum += r;
        }

        return table.Count == 0 ? 0 : (double)sum / table.Count;
    }

    /// <summary>Statistics over <paramref name="userCount"/> users and <paramref name="movieCount"/> movies; a user or movie without ratings has count 0 and mean 0.</summary>
    public static RatingStatistics Compute(RatingTable table, int userCount, int movieCount)
    {
        var userCounts = new int[userCount];
        var userSums = new long[userCount];
        var movieCounts = new int[movieCount];
        var movieSums = new long[movieCount];
        ReadOnlySpan<int> users = table.Users.Span;
        ReadOnlySpan<short> movies = table.Movies.Span;
        ReadOnlySpan<byte> ratings = table.Ratings.Span;
        long total = 0;
        for (int i = 0; i < users.Length; i++)
        {
            byte r = ratings[i];
            userCounts[users[i]]++;
            userSums[users[i]] += r;
            movieCounts[movies[i]]++;
            movieSums[movies[i]] += r;
            total += r;
        }

        return new RatingStatistics(
            users.Length == 0 ? 0 : (double)total / users.Length,
            userCounts, Means(userSums, userCounts), movieCounts, Means(movieSums, movieCounts));
    }

    private static float[] Means(long[] sums, int[] counts)
    {
        var means = new float[sums.Length];
        for (int i = 0; i < sums.Length; i++)
        {
            means[i] = counts[i] == 0 ? 0f : (float)((double)sums[i] / counts[i]);
        }

        return means;
    }
}
