namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// For a popular movie drawn by a Bernoulli pass (user u rates it with p_u = min(1, λ·w_u)), finds the λ that makes
/// the expected count Σ_u min(1, λ·w_u) equal the target, so the heaviest users saturate instead of the count falling short.
/// </summary>
internal sealed class SaturationCurve
{
    private readonly double[] _descending;
    private readonly double[] _tailSums;

    public SaturationCurve(double[] weights)
    {
        _descending = (double[])weights.Clone();
        Array.Sort(_descending);
        Array.Reverse(_descending);

        // _tailSums[k] = Σ_{j ≥ k} _descending[j], summed from the small end for accuracy.
        _tailSums = new double[_descending.Length + 1];
        for (int k = _descending.Length - 1; k >= 0; k--)
        {
            _tailSums[k] = _tailSums[k + 1] + _descending[k];
        }
    }

    /// <summary>λ with Σ_u min(1, λ·w_u) = count (count below the number of users).</summary>
    public double Scale(int count)
    {
        double low = 0;
        double high = 1;
        while (Expected(high) < count && high < double.MaxValue / 4)
        {
            high *= 2;
        }

        for (int iteration = 0; iteration < 100 && high - low > 1e-15 * high; iteration++)
        {
            double mid = 0.5 * (low + high);
            if (Expected(mid) < count)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return 0.5 * (low + high);
    }

    private double Expected(double scale)
    {
        // Users with λ·w ≥ 1 are saturated; they lead the descending order.
        int saturated = SaturatedCount(1 / scale);
        return saturated + (scale * _tailSums[saturated]);
    }

    private int SaturatedCount(double minWeight)
    {
        int low = 0;
        int high = _descending.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_descending[mid] >= minWeight)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
