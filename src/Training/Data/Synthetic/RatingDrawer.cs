namespace NetflixRec.Training.Data.Synthetic;

/// <summary>The day and the stars of every (user, movie) pair; each slice of a movie from its own random stream.</summary>
internal static class RatingDrawer
{
    // Enough noisy scores to place the star thresholds within about 0.1% of their target shares.
    private const int PilotSize = 200_000;

    // Share of a new movie's ratings from its release burst, and the burst's mean length: an assumption sized so that a
    // movie's monthly ratings fall a few fold over its first year.
    private const double NewReleaseShare = 0.6;
    private const double NewReleaseDays = 120;

    /// <summary>
    /// Thresholds from the noisy scores of an evenly spaced sample of the actual (user, movie) pairs, each with a day
    /// drawn from the same distribution as the real ones, so the thresholds are known before the ratings are drawn.
    /// </summary>
    public static RatingScale PlaceThresholds(GeneratorOptions options, Population population, LatentModel model, int[][] raters)
    {
        long total = 0;
        foreach (int[] movie in raters)
        {
            total += movie.Length;
        }

        long stride = Math.Max(1, total / PilotSize);
        double[] scores = new double[(int)((total + stride - 1) / stride)];
        var rng = Rng.Create(options.Seed, RngStream.Pilot, 0);
        int taken = 0;
        long movieStart = 0;
        for (int movie = 0; movie < raters.Length; movie++)
        {
            int[] users = raters[movie];

            // The first global index at or after movieStart that is a multiple of the stride.
            long first = ((movieStart + stride - 1) / stride * stride) - movieStart;
            for (long k = first; k < users.Length; k += stride)
            {
                short day = DrawDay(ref rng, population, users[k], movie);
                scores[taken++] = model.Score(users[k], movie, day) + (LatentModel.NoiseSd * rng.NextGaussian());
            }

            movieStart += users.Length;
        }

        return RatingScale.FromSample(scores.AsSpan(0, taken), LatentModel.NoiseSd, options.Stars);
    }

    /// <summary>
    /// The day and the stars of every pair: a day between the later of sign-up and availability and the end of the span,
    /// then noisy stars. Works block by block of users (see <see cref="UserBlocks"/>); each (movie, block) slice draws
    /// from its own random stream.
    /// </summary>
    public static (short[][] Days, byte[][] Stars) DrawRatings(int seed, Population population, LatentModel model, RatingScale scale,
        int[][] raters, int parallelism)
    {
        short[][] days = Array.ConvertAll(raters, users => new short[users.Length]);
        byte[][] stars = Array.ConvertAll(raters, users => new byte[users.Length]);
        int blocks = UserBlocks.Count(population.Users);
        WorkQueue.Run(WorkQueue.Range(blocks), parallelism, block =>
        {
            int first = UserBlocks.First(block);
            int last = UserBlocks.End(block, population.Users);
            for (int movie = 0; movie < raters.Length; movie++)
            {
                int[] users = raters[movie];
                int k = UserBlocks.LowerBound(users, first);
                if (k == users.Length || users[k] >= last)
                {
                    continue;
                }

                var rng = Rng.Create(seed, RngStream.Ratings, ((long)movie * blocks) + block);
                short[] movieDays = days[movie];
                byte[] movieStars = stars[movie];
                for (; k < users.Length && users[k] < last; k++)
                {
                    short day = DrawDay(ref rng, population, users[k], movie);
                    double score = model.Score(users[k], movie, day);
                    movieDays[k] = day;
                    movieStars[k] = scale.Star(score + (LatentModel.NoiseSd * rng.NextGaussian()));
                }
            }
        });

        return (days, stars);
    }

    /// <summary>
    /// A rating's day: for a movie that came out during the user's tenure, with probability <see cref="NewReleaseShare"/>
    /// in the months after its release (a decaying burst of mean <see cref="NewReleaseDays"/> days: popularity fades with
    /// age), otherwise anywhere from the later of sign-up and availability to the end with the usual growth; then moved
    /// to the user's next session day (see <see cref="Population.SessionDay"/>).
    /// </summary>
    private static short DrawDay(ref Rng rng, Population population, int user, int movie)
    {
        short available = population.AvailableDays[movie];
        short from = Math.Max(population.JoinDays[user], available);
        short day = available >= population.JoinDays[user] && rng.NextDouble() < NewReleaseShare
            ? SyntheticCalendar.DrawDecay(ref rng, from, NewReleaseDays)
            : SyntheticCalendar.Draw(ref rng, from, SyntheticCalendar.ActivityGrowth);
        return population.SessionDay(user, day, from);
    }
}
