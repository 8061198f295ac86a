namespace NetflixRec.Training.Data.Synthetic;

/// <summary>The day and the stars of every (user, movie) pair, each movie from its own random streams.</summary>
internal static class RatingDrawer
{
    // Enough noisy scores to place the star thresholds within about 0.1% of their target shares.
    private const int PilotSize = 200_000;

    /// <summary>A day between the later of sign-up and availability and the end of the span, skewed late.</summary>
    public static short[][] DrawDays(int seed, Population population, int[][] raters, IReadOnlyList<int> order, int parallelism)
    {
        short[][] days = new short[raters.Length][];
        WorkQueue.Run(order, parallelism, movie =>
        {
            var rng = Rng.Create(seed, RngStream.Days, movie);
            int[] users = raters[movie];
            short available = population.AvailableDays[movie];
            short[] movieDays = new short[users.Length];
            for (int k = 0; k < users.Length; k++)
            {
                short from = Math.Max(population.JoinDays[users[k]], available);
                movieDays[k] = SyntheticCalendar.Draw(ref rng, from, SyntheticCalendar.ActivityGrowth);
            }

            days[movie] = movieDays;
        });

        return days;
    }

    /// <summary>Thresholds from the noisy scores of an evenly spaced sample of the actual ratings.</summary>
    public static RatingScale PlaceThresholds(int seed, LatentModel model, int[][] raters, short[][] days)
    {
        long total = 0;
        foreach (int[] movie in raters)
        {
            total += movie.Length;
        }

        long stride = Math.Max(1, total / PilotSize);
        double[] scores = new double[(int)((total + stride - 1) / stride)];
        var rng = Rng.Create(seed, RngStream.Pilot, 0);
        int taken = 0;
        long movieStart = 0;
        for (int movie = 0; movie < raters.Length; movie++)
        {
            int[] users = raters[movie];

            // The first global index at or after movieStart that is a multiple of the stride.
            long first = ((movieStart + stride - 1) / stride * stride) - movieStart;
            for (long k = first; k < users.Length; k += stride)
            {
                double score = model.Score(users[k], movie, days[movie][k]);
                scores[taken++] = score + (LatentModel.NoiseSd * rng.NextGaussian());
            }

            movieStart += users.Length;
        }

        return RatingScale.FromSample(scores.AsSpan(0, taken), LatentModel.NoiseSd);
    }

    public static byte[][] DrawStars(int seed, LatentModel model, RatingScale scale, int[][] raters, short[][] days,
        IReadOnlyList<int> order, int parallelism)
    {
        byte[][] stars = new byte[raters.Length][];
        WorkQueue.Run(order, parallelism, movie =>
        {
            var rng = Rng.Create(seed, RngStream.Noise, movie);
            int[] users = raters[movie];
            short[] movieDays = days[movie];
            byte[] movieStars = new byte[users.Length];
            for (int k = 0; k < users.Length; k++)
            {
                double score = model.Score(users[k], movie, movieDays[k]);
                movieStars[k] = scale.Star(score + (LatentModel.NoiseSd * rng.NextGaussian()));
            }

            stars[movie] = movieStars;
        });

        return stars;
    }
}
