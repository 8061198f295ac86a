namespace NetflixRec.Training.Data.Synthetic;

/// <summary>Walker/Vose alias table: draws an index with probability proportional to its weight in O(1).</summary>
internal sealed class AliasTable
{
    private readonly double[] _threshold;
    private readonly int[] _alias;

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

        _threshold = new double[n];
        _alias = new int[n];
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
            _threshold[s] = scaled[s];
            _alias[s] = l;
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
            _threshold[l] = 1;
            _alias[l] = l;
        }

        while (smallCount > 0)
        {
            int s = small[--smallCount];
            _threshold[s] = 1;
            _alias[s] = s;
        }
    }

    public int Count => _threshold.Length;

    public int Sample(ref Rng rng)
    {
        ulong bits = rng.NextUInt64();
        int column = (int)(((bits >> 32) * (ulong)_threshold.Length) >> 32);
        double coin = (uint)bits * (1.0 / 4294967296.0);
        return coin < _threshold[column] ? column : _alias[column];
    }
}
