namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Turns a latent score into stars with ordinal thresholds placed so that the stars come out in the chosen shares
/// (the Prize: about 5%/10%/29%/34%/23% of 1–5 stars, mean ≈ 3.6), and gives the oracle: the expected stars given the
/// score without noise, E[star] = 1 + Σ_k P(s + ε &gt; τ_k).
/// </summary>
internal sealed class RatingScale
{
    /// <summary>The Prize's cumulative shares of 1, ≤2, ≤3 and ≤4 stars.</summary>
    public static readonly double[] PrizeCumulativeShares = [0.05, 0.15, 0.44, 0.78];

    /// <summary>MovieLens-100K's (6,110 / 11,370 / 27,145 / 34,174 / 21,201 of 1–5 stars).</summary>
    public static readonly double[] MovieLens100KCumulativeShares = [0.061, 0.175, 0.446, 0.788];

    private readonly double[] _thresholds;
    private readonly double _noiseSd;

    private RatingScale(double[] thresholds, double noiseSd)
    {
        _thresholds = thresholds;
        _noiseSd = noiseSd;
    }

    /// <summary>
    /// Thresholds at the empirical quantiles of noisy scores of a sample of the actual ratings: exact shares without
    /// assuming that the score is normal (the ReLU part skews it).
    /// </summary>
    public static RatingScale FromSample(Span<double> noisyScores, double noiseSd, StarDistribution stars)
    {
        if (noisyScores.IsEmpty)
        {
            throw new ArgumentException("need at least one score to place the thresholds", nameof(noisyScores));
        }

        double[] cumulativeShares = stars switch
        {
            StarDistribution.Prize => PrizeCumulativeShares,
            StarDistribution.MovieLens100K => MovieLens100KCumulativeShares,
            _ => throw new ArgumentOutOfRangeException(nameof(stars), stars, "unknown star distribution"),
        };
        noisyScores.Sort();
        double[] thresholds = new double[cumulativeShares.Length];
        for (int k = 0; k < thresholds.Length; k++)
        {
            thresholds[k] = Quantile(noisyScores, cumulativeShares[k]);
        }

        return new RatingScale(thresholds, noiseSd);
    }

    public byte Star(double noisyScore)
    {
        byte star = 1;
        foreach (double threshold in _thresholds)
        {
            if (noisyScore > threshold)
            {
                star++;
            }
        }

        return star;
    }

    /// <summary>Expected stars when the noise ε ~ N(0, noiseSd²) is all that is unknown.</summary>
    public double Expected(double score)
    {
        double expected = 1;
        foreach (double threshold in _thresholds)
        {
            expected += Normal.Cdf((score - threshold) / _noiseSd);
        }

        return expected;
    }

    // Linear interpolation between order statistics.
    private static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = position - below;
        return sorted[below] + (fraction * (sorted[above] - sorted[below]));
    }
}
