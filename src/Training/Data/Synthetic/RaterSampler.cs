namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Who rated which movie (Chung–Lu style with taste): movie i gets n_i raters, drawn without replacement with probability
/// proportional to user activity × σ(β·z_ui), z the user's affinity for the movie in standard deviations (see
/// <see cref="GeneratorOptions.TasteSelection"/>). The result is a heavy-tailed bipartite graph whose user degrees follow
/// the activity weights, whose movie degrees follow popularity, and whose edges lean toward what each user likes, so
/// the missing ratings are not missing at random. Every user ends with at least one rating, and at least
/// <see cref="GeneratorOptions.MinRatingsPerUser"/>.
/// </summary>
internal static class RaterSampler
{
    // Above this share of users a movie is drawn by one Bernoulli pass over all users (a sequential scan, a few ns a
    // user); below it by rejection sampling from the alias table (two cache misses a draw, and collisions grow with n).
    private const double BernoulliShare = 1.0 / 32;

    // The Prize's least-rated movie has 3 ratings.
    private const int MinRatersPerMovie = 3;

    /// <summary>Rating counts per movie: popularity shares of the target, softly capped, rounded at random.</summary>
    public static int[] MovieCounts(GeneratorOptions options, Population population)
    {
        int cap = Math.Max(1, (int)(options.MaxMovieShare * options.Users));
        double[] expected = SoftCap(population.MovieWeights, options.TargetRatings, cap);
        var rng = Rng.Create(options.Seed, RngStream.MovieCounts, 0);
        int[] counts = new int[expected.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = Math.Clamp(rng.StochasticRound(expected[i]), Math.Min(MinRatersPerMovie, cap), cap);
        }

        return counts;
    }

    /// <summary>Per movie, the sorted user indices of its raters.</summary>
    public static int[][] Sample(GeneratorOptions options, Population population, LatentModel model, int[] counts, int parallelism)
    {
        var taste = new TasteFilter(model, options.TasteSelection);
        int users = population.Users;
        var alias = new AliasTable(population.UserWeights);
        var saturation = new SaturationCurve(population.UserWeights);
        int[][] raters = new int[counts.Length][];
        WorkQueue.Run(WorkQueue.LargestFirst(counts), parallelism, () => new Scratch(users), (movie, scratch) =>
        {
            var rng = Rng.Create(options.Seed, RngStream.Raters, movie);
            int n = counts[movie];
            raters[movie] = n > BernoulliShare * users
                ? BernoulliPass(ref rng, population.UserWeights, n, saturation.Scale(n), taste, movie, scratch)
                : RejectionDraws(ref rng, alias, n, taste, movie, scratch.Stamps);
        });

        TopUp(options.Seed, users, raters, counts);
        RaiseToMinimum(options, raters, counts, taste, parallelism);
        return raters;
    }

    private static int[] RejectionDraws(ref Rng rng, AliasTable alias, int n, TasteFilter taste, int movie, int[] stamps)
    {
        // Stamps are unique per movie, so the scratch array never needs clearing between movies. A user the taste
        // filter turns down may be drawn again later and accepted: the draw is with activity × acceptance weights.
        int stamp = movie + 1;
        int[] chosen = new int[n];
        int k = 0;
        while (k < n)
        {
            int u = alias.Sample(ref rng);
            if (stamps[u] != stamp && rng.NextDouble() < taste.Acceptance(u, movie))
            {
                stamps[u] = stamp;
                chosen[k++] = u;
            }
        }

        Array.Sort(chosen);
        return chosen;
    }

    private static int[] BernoulliPass(ref Rng rng, double[] weights, int n, double scale, TasteFilter taste, int movie, Scratch scratch)
    {
        // User u watches with probability min(1, λ·w_u·2σ(βz_u)). 2σ averages 1, but the taste weighting pushes more
        // heavy users past 1, so λ is refitted (fixed-point steps from the taste-free λ) until the expected count is n.
        double[] rate = scratch.Rates;
        for (int u = 0; u < weights.Length; u++)
        {
            rate[u] = weights[u] * taste.Weight(u, movie);
        }

        for (int iteration = 0; iteration < 50; iteration++)
        {
            double expected = 0;
            for (int u = 0; u < rate.Length; u++)
            {
                expected += Math.Min(1, scale * rate[u]);
            }

            if (expected >= n * 0.999)
            {
                break;
            }

            scale *= n / expected;
        }

        int[] chosen = scratch.Chosen;
        int k = 0;
        for (int u = 0; u < rate.Length; u++)
        {
            if (rng.NextDouble() < scale * rate[u])
            {
                chosen[k++] = u;
            }
        }

        return chosen.AsSpan(0, k).ToArray();
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

    /// <summary>
    /// Users still below the floor get further distinct movies, drawn without replacement with weight
    /// count × σ(β·z) (Efraimidis–Spirakis keys ln(U)/w, the largest win), so the extra ratings follow popularity and
    /// taste like the rest. A floor of one changes nothing: <see cref="TopUp"/> already gave everyone a rating.
    /// </summary>
    private static void RaiseToMinimum(GeneratorOptions options, int[][] raters, int[] counts, TasteFilter taste, int parallelism)
    {
        int users = options.Users;
        int minimum = options.MinRatingsPerUser;
        int[] degrees = new int[users];
        foreach (int[] movie in raters)
        {
            foreach (int u in movie)
            {
                degrees[u]++;
            }
        }

        int[] below = Enumerable.Range(0, users).Where(u => degrees[u] < minimum).ToArray();
        if (below.Length == 0)
        {
            return;
        }

        int[] slot = new int[users];
        Array.Fill(slot, -1);
        for (int k = 0; k < below.Length; k++)
        {
            slot[below[k]] = k;
        }

        var rated = new List<int>[below.Length];
        for (int k = 0; k < below.Length; k++)
        {
            rated[k] = [];
        }

        for (int movie = 0; movie < raters.Length; movie++)
        {
            foreach (int u in raters[movie])
            {
                if (slot[u] >= 0)
                {
                    rated[slot[u]].Add(movie);
                }
            }
        }

        int[][] added = new int[below.Length][];
        WorkQueue.Run(WorkQueue.Range(below.Length), parallelism, () => new FloorScratch(raters.Length), (k, scratch) =>
        {
            int u = below[k];
            var rng = Rng.Create(options.Seed, RngStream.Floor, u);
            foreach (int movie in rated[k])
            {
                scratch.Rated[movie] = true;
            }

            int candidates = 0;
            for (int movie = 0; movie < raters.Length; movie++)
            {
                if (!scratch.Rated[movie])
                {
                    scratch.Keys[candidates] = -Math.Log(rng.NextDouble()) / (counts[movie] * taste.Acceptance(u, movie));
                    scratch.Movies[candidates++] = movie;
                }
            }

            // Smallest −ln(U)/w first: the same order as the largest ln(U)/w.
            Array.Sort(scratch.Keys, scratch.Movies, 0, candidates);
            added[k] = scratch.Movies.AsSpan(0, minimum - degrees[u]).ToArray();
            foreach (int movie in rated[k])
            {
                scratch.Rated[movie] = false;
            }
        });

        var extras = new List<int>?[raters.Length];
        for (int k = 0; k < below.Length; k++)
        {
            foreach (int movie in added[k])
            {
                // Users come in ascending order, so every list is sorted.
                (extras[movie] ??= []).Add(below[k]);
            }
        }

        for (int movie = 0; movie < raters.Length; movie++)
        {
            if (extras[movie] is List<int> list)
            {
                raters[movie] = MergeSorted(raters[movie], list);
            }
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

    /// <summary>
    /// Expected counts that sum to total: each weight share x is passed through cap·x/(cap + x), which leaves the long
    /// tail proportional to popularity and lets the blockbusters approach the cap softly (a few near it, not a wall of them).
    /// </summary>
    private static double[] SoftCap(double[] weights, long total, int cap)
    {
        double weightSum = weights.Sum();
        double Total(double scale)
        {
            double sum = 0;
            foreach (double w in weights)
            {
                double x = scale * total * w / weightSum;
                sum += cap * x / (cap + x);
            }

            return sum;
        }

        double low = 0;
        double high = 1;
        while (Total(high) < total && high < 1e12)
        {
            low = high;
            high *= 2;
        }

        for (int iteration = 0; iteration < 100 && high - low > 1e-12 * high; iteration++)
        {
            double mid = 0.5 * (low + high);
            if (Total(mid) < total)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        double[] expected = new double[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double x = high * total * weights[i] / weightSum;
            expected[i] = cap * x / (cap + x);
        }

        return expected;
    }

    /// <summary>The taste-driven part of choosing what to watch.</summary>
    private sealed class TasteFilter(LatentModel model, double strength)
    {
        private readonly double _perSd = strength / LatentModel.AffinitySd;

        /// <summary>σ(β·z): the chance a user drawn for this movie by activity actually watches it.</summary>
        public double Acceptance(int user, int movie) =>
            strength == 0 ? 1 : 1 / (1 + Math.Exp(-_perSd * model.Affinity(user, movie)));

        /// <summary>The acceptance rescaled to average 1 (for the Bernoulli pass, whose rate already targets the count).</summary>
        public double Weight(int user, int movie) => 2 * Acceptance(user, movie);
    }

    /// <summary>A floor worker's buffers: which movies the current user rated, and the keys of the others.</summary>
    private sealed class FloorScratch(int movies)
    {
        public bool[] Rated { get; } = new bool[movies];

        public double[] Keys { get; } = new double[movies];

        public int[] Movies { get; } = new int[movies];
    }

    /// <summary>A worker's buffers. Stamps must only ever hold movie stamps, or a stale value could mimic the current movie's.</summary>
    private sealed class Scratch(int users)
    {
        public int[] Stamps { get; } = new int[users];

        public int[] Chosen { get; } = new int[users];

        public double[] Rates { get; } = new double[users];
    }
}
