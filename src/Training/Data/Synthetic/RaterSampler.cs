namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Who rated which movie (Chung–Lu style): movie i gets n_i raters, drawn without replacement with probability
/// proportional to user activity. The result is a heavy-tailed bipartite graph whose user degrees follow the activity
/// weights and whose movie degrees follow popularity. Every user ends with at least one rating.
/// </summary>
internal static class RaterSampler
{
    // Above this share of users a movie is drawn by one Bernoulli pass over all users; below it by rejection sampling
    // from the alias table, which stays cheap while few draws collide.
    private const double BernoulliShare = 1.0 / 8;

    // The Prize's least-rated movie has 3 ratings.
    private const int MinRatersPerMovie = 3;

    /// <summary>Rating counts per movie: popularity shares of the target, capped, rounded at random.</summary>
    public static int[] MovieCounts(GeneratorOptions options, Population population)
    {
        int cap = Math.Max(1, (int)(options.MaxMovieShare * options.Users));
        double[] expected = WaterFill(population.MovieWeights, options.TargetRatings, cap);
        var rng = Rng.Create(options.Seed, RngStream.MovieCounts, 0);
        int[] counts = new int[expected.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = Math.Clamp(rng.StochasticRound(expected[i]), Math.Min(MinRatersPerMovie, cap), cap);
        }

        return counts;
    }

    /// <summary>Per movie, the sorted user indices of its raters.</summary>
    public static int[][] Sample(GeneratorOptions options, Population population, int[] counts, int parallelism)
    {
        int users = population.Users;
        var alias = new AliasTable(population.UserWeights);
        var saturation = new SaturationCurve(population.UserWeights);
        int[][] raters = new int[counts.Length][];
        WorkQueue.Run(WorkQueue.LargestFirst(counts), parallelism, () => new int[users], (movie, stamps) =>
        {
            var rng = Rng.Create(options.Seed, RngStream.Raters, movie);
            int n = counts[movie];
            raters[movie] = n > BernoulliShare * users
                ? BernoulliPass(ref rng, population.UserWeights, saturation.Scale(n), stamps)
                : RejectionDraws(ref rng, alias, n, movie + 1, stamps);
        });

        TopUp(options.Seed, users, raters, counts);
        return raters;
    }

    private static int[] RejectionDraws(ref Rng rng, AliasTable alias, int n, int stamp, int[] stamps)
    {
        // Stamps are unique per movie, so the scratch array never needs clearing between movies.
        int[] chosen = new int[n];
        int k = 0;
        while (k < n)
        {
            int u = alias.Sample(ref rng);
            if (stamps[u] != stamp)
            {
                stamps[u] = stamp;
                chosen[k++] = u;
            }
        }

        Array.Sort(chosen);
        return chosen;
    }

    private static int[] BernoulliPass(ref Rng rng, double[] weights, double scale, int[] scratch)
    {
        int k = 0;
        for (int u = 0; u < weights.Length; u++)
        {
            if (rng.NextDouble() < scale * weights[u])
            {
                scratch[k++] = u;
            }
        }

        return scratch.AsSpan(0, k).ToArray();
    }

    /// <summary>Users the sampling missed get one rating of a movie drawn by popularity, so every customer exists.</summary>
    private static void TopUp(int seed, int users, int[][] raters, int[] counts)
    {
        bool[] rated = new bool[users];
        foreach (int[] movie in raters)
        {
            foreach (int u in movie)
            {
                rated[u] = true;
            }
        }

        AliasTable? byPopularity = null;
        var extras = new Dictionary<int, List<int>>();
        for (int u = 0; u < users; u++)
        {
            if (rated[u])
            {
                continue;
            }

            byPopularity ??= new AliasTable(Array.ConvertAll(counts, c => (double)c));
            var rng = Rng.Create(seed, RngStream.TopUp, u);
            int movie = byPopularity.Sample(ref rng);
            if (!extras.TryGetValue(movie, out List<int>? added))
            {
                added = [];
                extras.Add(movie, added);
            }

            added.Add(u);
        }

        foreach ((int movie, List<int> added) in extras)
        {
            raters[movie] = MergeSorted(raters[movie], added);
        }
    }

    private static int[] MergeSorted(int[] a, List<int> b)
    {
        int[] merged = new int[a.Length + b.Count];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.Length || j < b.Count)
        {
            merged[k++] = j == b.Count || (i < a.Length && a[i] < b[j]) ? a[i++] : b[j++];
        }

        return merged;
    }

    /// <summary>Expected counts ∝ weights summing to total, none above cap (the excess goes to the others).</summary>
    private static double[] WaterFill(double[] weights, long total, int cap)
    {
        double[] expected = new double[weights.Length];
        bool[] capped = new bool[weights.Length];
        while (true)
        {
            double free = total;
            double freeWeight = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                if (capped[i])
                {
                    free -= cap;
                }
                else
                {
                    freeWeight += weights[i];
                }
            }

            bool changed = false;
            for (int i = 0; i < weights.Length; i++)
            {
                expected[i] = capped[i] ? cap : Math.Max(0, free) * weights[i] / freeWeight;
                if (!capped[i] && expected[i] > cap)
                {
                    capped[i] = true;
                    changed = true;
                }
            }

            if (!changed || freeWeight == 0)
            {
                return expected;
            }
        }
    }
}
