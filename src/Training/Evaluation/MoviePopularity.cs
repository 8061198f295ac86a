using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// How popular each movie is in the TRAINING table: its rating count and its popularity percentile, the mid-rank of
/// its count among all movies of the catalog scaled to [0, 1] (0 = least rated, 1 = most rated; tied counts share the
/// mean of their ranks). Over the whole catalog the percentiles average exactly 0.5, which makes them a yardstick for
/// popularity bias: recommendations with a mean percentile above 0.5 lean to popular movies.
/// </summary>
public sealed record MoviePopularity(ReadOnlyMemory<int> Counts, ReadOnlyMemory<double> Percentiles, double MeanCount)
{
    public int Movies => Counts.Length;

    /// <summary>Counts and percentiles of <paramref name="movies"/> movies from the training table.</summary>
    public static MoviePopularity Compute(RatingTable train, int movies)
    {
        ArgumentNullException.ThrowIfNull(train);
        var counts = new int[movies];
        foreach (short m in train.Movies.Span)
        {
            counts[m]++;
        }

        return FromCounts(counts);
    }

    /// <summary>Percentiles and mean of the given per-movie rating counts.</summary>
    public static MoviePopularity FromCounts(ReadOnlyMemory<int> counts)
    {
        int movies = counts.Length;
        int[] sorted = counts.ToArray();
        Array.Sort(sorted);
        var percentiles = new double[movies];
        ReadOnlySpan<int> c = counts.Span;
        long total = 0;
        for (int m = 0; m < movies; m++)
        {
            // Ranks first..last (0-based) hold this count; the mid-rank is their mean.
            int first = LowerBound(sorted, c[m]);
            int last = LowerBound(sorted, c[m] + 1) - 1;
            percentiles[m] = movies <= 1 ? 0.5 : (first + last) / 2.0 / (movies - 1);
            total += c[m];
        }

        return new MoviePopularity(counts, percentiles, movies == 0 ? 0 : (double)total / movies);
    }

    private static int LowerBound(int[] sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
