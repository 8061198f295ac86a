namespace NetflixRec.Training.Data.Synthetic;

/// <summary>Walker/Vose alias table: draws an index with probability proportional to its weight in O(1).</summary>
internal sealed class AliasTable
{
    // Threshold and alias side by side: one cache miss per draw.
    private readonly Entry[] _entries;

    public AliasTable(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        if (n == 0)
        {
            throw new ArgumentException("an alias table needs at least one weight", nameof(weights));
        }

        double total = 0;
        foreach (double w in weights)
        {
            total += w;
        }

        _entries = new Entry[n];
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1)
            {
                small[smallCount++] = i;
            }
            else
            {
                large[largeCount++] = i;
            }
        }

        while (smallCount > 0 && largeCount > 0)
        {
            int s = small[--smallCount];
            int l = large[--largeCount];
            _entries[s] = new Entry(scaled[s], l);
            scaled[l] = scaled[l] + scaled[s] - 1;
            if (scaled[l] < 1)
            {
                small[smallCount++] = l;
            }
            else
            {
                large[largeCount++] = l;
            }
        }

        // What is left is 1 up to rounding.
        while (largeCount > 0)
        {
            int l = large[--largeCount];
            _entries[l] = new Entry(1, l);
        }

        while (smallCount > 0)
        {
            int s = small[--smallCount];
            _entries[s] = new Entry(1, s);
        }
    }

    public int Sample(ref Rng rng)
    {
        ulong bits = rng.NextUInt64();
        int column = (int)(((bits >> 32) * (ulong)_entries.Length) >> 32);
        double coin = (uint)bits * (1.0 / 4294967296.0);
        Entry entry = _entries[column];
        return coin < entry.Threshold ? column : entry.Alias;
    }

    private readonly record struct Entry(double Threshold, int Alias);
}
