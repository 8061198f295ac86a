namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Holds out a uniformly random share of all ratings, as MovieLens's random 80/20 splits do: every pair gets a hashed
/// key, the pairs are visited in key order and taken while the pair's user and movie each keep at least one training
/// rating, until <see cref="GeneratorOptions.HeldOutShare"/> of all ratings is taken. Along that random order the taken
/// pairs go to probe and qualifying in the ratio 1 : <see cref="GeneratorOptions.QualifyingPerProbe"/>.
/// </summary>
internal static class RandomHoldOut
{
    private const ulong KeyMask = 0xFFFF_FFFF_0000_0000UL;

    public static void Mark(GeneratorOptions options, int users, int[][] raters, byte[][] stars)
    {
        long[] starts = new long[raters.Length + 1];
        int[] userLeft = new int[users];
        int[] movieLeft = new int[raters.Length];
        for (int movie = 0; movie < raters.Length; movie++)
        {
            starts[movie + 1] = starts[movie] + raters[movie].Length;
            movieLeft[movie] = raters[movie].Length;
            foreach (int u in raters[movie])
            {
                userLeft[u]++;
            }
        }

        long target = (long)Math.Round(options.HeldOutShare * starts[^1]);
        if (target == 0)
        {
            return;
        }

        // High 32 bits: the pair's hash, its rank in the random order; low 32 bits: the pair's global index, which
        // breaks ties and says which pair it is (the options cap the ratings below 2^31).
        ulong[] order = new ulong[starts[^1]];
        for (long i = 0; i < order.Length; i++)
        {
            order[i] = (Rng.Hash(options.Seed, RngStream.HoldOutOrder, i) & KeyMask) | (ulong)i;
        }

        Array.Sort(order);
        double cycle = 1 + options.QualifyingPerProbe;
        long taken = 0;
        foreach (ulong key in order)
        {
            long index = (long)(key & ~KeyMask);
            int movie = MovieOf(starts, index);
            int position = (int)(index - starts[movie]);
            int u = raters[movie][position];
            if (userLeft[u] <= 1 || movieLeft[movie] <= 1)
            {
                continue;
            }

            userLeft[u]--;
            movieLeft[movie]--;

            // The j-th taken pair is probe when ⌊(j + 1)/c⌋ > ⌊j/c⌋: one in every c = 1 + QualifyingPerProbe.
            bool probe = Math.Floor((taken + 1) / cycle) > Math.Floor(taken / cycle);
            stars[movie][position] |= probe ? HoldOut.ProbeFlag : HoldOut.QualifyingFlag;
            if (++taken == target)
            {
                return;
            }
        }
    }

    /// <summary>The movie whose slice [starts[m], starts[m + 1]) holds the global index.</summary>
    private static int MovieOf(long[] starts, long index)
    {
        int low = 0;
        int high = starts.Length - 2;
        while (low < high)
        {
            int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= index)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }
}
