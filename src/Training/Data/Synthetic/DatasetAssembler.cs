using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Turns the generator's columns into the dataset as its files read back: qualifying pairs leave the training blocks,
/// probe pairs stay, user indices become CustomerIDs. The columns are compacted in place and become the blocks' memory,
/// so the full scale needs no second copy.
/// </summary>
internal static class DatasetAssembler
{
    public static SyntheticDataset Assemble(GeneratorOptions options, Population population, LatentModel model, RatingScale scale,
        int[][] raters, short[][] days, byte[][] stars, IReadOnlyList<int> order, int parallelism)
    {
        int movies = raters.Length;
        var training = new MovieRatings[movies];
        var probe = new MovieQueries?[movies];
        var qualifying = new MovieQueries?[movies];
        var oracle = new MovieOracle?[movies];
        var answers = new MovieOracle?[movies];
        int[] customerIds = population.CustomerIds;
        WorkQueue.Run(order, parallelism, movie =>
        {
            int movieId = movie + 1;
            int[] users = raters[movie];
            short[] movieDays = days[movie];
            byte[] movieStars = stars[movie];
            int probeCount = 0;
            int qualifyingCount = 0;
            foreach (byte s in movieStars)
            {
                probeCount += (s & HoldOut.ProbeFlag) != 0 ? 1 : 0;
                qualifyingCount += (s & HoldOut.QualifyingFlag) != 0 ? 1 : 0;
            }

            int[] probeCustomers = new int[probeCount];
            float[] expected = new float[probeCount];
            int[] qualifyingCustomers = new int[qualifyingCount];
            short[] qualifyingDays = new short[qualifyingCount];
            float[] qualifyingStars = new float[qualifyingCount];
            int p = 0;
            int q = 0;
            int kept = 0;
            for (int k = 0; k < users.Length; k++)
            {
                int u = users[k];
                byte s = movieStars[k];
                if ((s & HoldOut.QualifyingFlag) != 0)
                {
                    qualifyingCustomers[q] = customerIds[u];
                    qualifyingStars[q] = s & HoldOut.StarMask;
                    qualifyingDays[q++] = movieDays[k];
                    continue;
                }

                if ((s & HoldOut.ProbeFlag) != 0)
                {
                    probeCustomers[p] = customerIds[u];
                    expected[p++] = (float)scale.Expected(model.Score(u, movie, movieDays[k]));
                }

                // kept ≤ k, so the compaction never overwrites an unread entry.
                users[kept] = customerIds[u];
                movieDays[kept] = movieDays[k];
                movieStars[kept++] = (byte)(s & HoldOut.StarMask);
            }

            training[movie] = new MovieRatings(movieId, users.AsMemory(0, kept), movieStars.AsMemory(0, kept), movieDays.AsMemory(0, kept));
            if (probeCount > 0)
            {
                probe[movie] = new MovieQueries(movieId, probeCustomers, ReadOnlyMemory<short>.Empty);
                oracle[movie] = new MovieOracle(movieId, probeCustomers, expected);
            }

            if (qualifyingCount > 0)
            {
                qualifying[movie] = new MovieQueries(movieId, qualifyingCustomers, qualifyingDays);
                answers[movie] = new MovieOracle(movieId, qualifyingCustomers, qualifyingStars);
            }
        });

        return new SyntheticDataset(
            options,
            Array.AsReadOnly(customerIds),
            Array.AsReadOnly(population.Titles),
            Array.AsReadOnly(training),
            NonEmpty(probe),
            NonEmpty(qualifying),
            NonEmpty(oracle))
        {
            QualifyingAnswers = NonEmpty(answers),
        };
    }

    private static IReadOnlyList<T> NonEmpty<T>(T?[] blocks)
        where T : class => Array.AsReadOnly(blocks.OfType<T>().ToArray());
}
