namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Chooses the probe and qualifying pairs by <see cref="GeneratorOptions.HoldOutRule"/> and marks them with flag bits in
/// the star bytes. The Prize's rule: each user's most recent ratings (up to <see cref="GeneratorOptions.MaxHeldOutPerUser"/>,
/// fewer for light users, never all of them), split at random into probe and qualifying (one third probe for the Prize).
/// The random rule is <see cref="RandomHoldOut"/>.
/// </summary>
internal static class HoldOut
{
    public const byte StarMask = 0x07;
    public const byte ProbeFlag = 0x40;
    public const byte QualifyingFlag = 0x80;

    public static void Mark(GeneratorOptions options, int users, int[][] raters, short[][] days, byte[][] stars, int parallelism)
    {
        switch (options.HoldOutRule)
        {
            case HoldOutRule.LatestPerUser:
                MarkLatest(options, users, raters, days, stars, parallelism);
                break;
            case HoldOutRule.Random:
                RandomHoldOut.Mark(options, users, raters, stars);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.HoldOutRule, "unknown hold-out rule");
        }
    }

    private static void MarkLatest(GeneratorOptions options, int users, int[][] raters, short[][] days, byte[][] stars, int parallelism)
    {
        int[] degrees = new int[users];
        long total = 0;
        foreach (int[] movie in raters)
        {
            total += movie.Length;
            foreach (int u in movie)
            {
                degrees[u]++;
            }
        }

        int[] quotas = Quotas(options, degrees, (long)Math.Round(options.HeldOutShare * total));
        int[] offsets = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            offsets[u + 1] = offsets[u] + quotas[u];
        }

        // Block by block (see UserBlocks); each user still sees its ratings in movie order, as a sequential scan would.
        var latest = new LatestRatings(offsets);
        WorkQueue.Run(WorkQueue.Range(UserBlocks.Count(users)), parallelism, block =>
        {
            int first = UserBlocks.First(block);
            int last = UserBlocks.End(block, users);
            for (int movie = 0; movie < raters.Length; movie++)
            {
                int[] movieUsers = raters[movie];
                short[] movieDays = days[movie];
                for (int k = UserBlocks.LowerBound(movieUsers, first); k < movieUsers.Length && movieUsers[k] < last; k++)
                {
                    int u = movieUsers[k];
                    if (quotas[u] > 0 && latest.MightTake(u, movieDays[k]))
                    {
                        // Same-day ratings are ordered by a hash, not by file order, so every pair has a fair chance.
                        uint tieBreak = (uint)Rng.Hash(options.Seed, RngStream.TieBreak, ((long)u * raters.Length) + movie);
                        latest.Offer(u, ((long)movieDays[k] << 32) | tieBreak, movie, k);
                    }
                }
            }

            for (int u = first; u < last; u++)
            {
                Split(options, u, latest, stars);
            }
        });

        KeepOneTrainingRatingPerMovie(stars);
    }

    /// <summary>
    /// How many ratings each user holds out: min(max, degree − 1, ⌊h·degree + ξ_u⌋) with ξ_u uniform, and h found so
    /// that the total is as close to the target as the caps allow.
    /// </summary>
    private static int[] Quotas(GeneratorOptions options, int[] degrees, long target)
    {
        var rng = Rng.Create(options.Seed, RngStream.HoldOutCounts, 0);
        double[] jitter = new double[degrees.Length];
        for (int u = 0; u < jitter.Length; u++)
        {
            jitter[u] = rng.NextDouble();
        }

        int[] quotas = new int[degrees.Length];
        long Fill(double share)
        {
            long sum = 0;
            for (int u = 0; u < degrees.Length; u++)
            {
                int byShare = (int)Math.Floor((share * degrees[u]) + jitter[u]);
                quotas[u] = Math.Max(0, Math.Min(Math.Min(options.MaxHeldOutPerUser, degrees[u] - 1), byShare));
                sum += quotas[u];
            }

            return sum;
        }

        double low = 0;
        double high = 1;
        if (Fill(high) > target)
        {
            for (int iteration = 0; iteration < 50; iteration++)
            {
                double mid = 0.5 * (low + high);
                if (Fill(mid) < target)
                {
                    low = mid;
                }
                else
                {
                    high = mid;
                }
            }
        }

        Fill(high);
        return quotas;
    }

    private static void Split(GeneratorOptions options, int user, LatestRatings latest, byte[][] stars)
    {
        int count = latest.Count(user);
        if (count == 0)
        {
            return;
        }

        var rng = Rng.Create(options.Seed, RngStream.HoldOutSplit, user);
        Span<int> order = count <= 64 ? stackalloc int[count] : new int[count];
        for (int k = 0; k < count; k++)
        {
            order[k] = k;
        }

        for (int k = count - 1; k > 0; k--)
        {
            int j = rng.NextInt(k + 1);
            (order[k], order[j]) = (order[j], order[k]);
        }

        int probe = rng.StochasticRound(count / (1 + options.QualifyingPerProbe));
        for (int k = 0; k < count; k++)
        {
            (int movie, int position) = latest.Get(user, order[k]);
            stars[movie][position] |= k < probe ? ProbeFlag : QualifyingFlag;
        }
    }

    // A movie whose every rating was held out would leave an empty training file; its first pair becomes probe
    // instead (still held out and still the user's latest, but kept in training like all probe pairs).
    private static void KeepOneTrainingRatingPerMovie(byte[][] stars)
    {
        foreach (byte[] movie in stars)
        {
            if (movie.Length > 0 && Array.TrueForAll(movie, s => (s & QualifyingFlag) != 0))
            {
                movie[0] = (byte)((movie[0] & StarMask) | ProbeFlag);
            }
        }
    }
}
