namespace NetflixRec.Training.Reporting;

/// <summary>
/// The RMSE difference between two models on the same held-out ratings, with a percentile confidence interval from a
/// paired bootstrap over users: <see cref="Difference"/> = RMSE(model) − RMSE(reference), so a positive interval means the
/// reference is better beyond resampling noise.
/// </summary>
public sealed record RmseDifference(string Model, string Reference, double Difference, double Low, double High, double Confidence, int Resamples)
{
    /// <summary>True when the interval excludes zero.</summary>
    public bool Significant => Low > 0 || High < 0;
}

/// <summary>
/// Paired bootstrap over users (Efron): users are drawn with replacement and both models are scored on the same draw,
/// which keeps the correlation between their errors (both miss the same hard users) and so gives much tighter, honest
/// intervals than comparing two separately bootstrapped RMSEs. Pure: the seed fixes the draws.
/// </summary>
public static class PairedBootstrap
{
    public static RmseDifference Compare(string model, UserErrors errors, string reference, UserErrors referenceErrors,
        int resamples, double confidence, int seed)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(referenceErrors);
        if (!errors.Users.Span.SequenceEqual(referenceErrors.Users.Span) || !errors.Counts.Span.SequenceEqual(referenceErrors.Counts.Span))
        {
            throw new ArgumentException($"'{model}' and '{reference}' were not scored on the same held-out ratings", nameof(referenceErrors));
        }

        if (resamples < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "use at least 10 resamples");
        }

        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be between 0 and 1");
        }

        ReadOnlySpan<int> counts = errors.Counts.Span;
        ReadOnlySpan<double> a = errors.SquaredErrors.Span;
        ReadOnlySpan<double> b = referenceErrors.SquaredErrors.Span;
        int users = counts.Length;
        var random = new Random(seed);
        var differences = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sumA = 0, sumB = 0;
            long n = 0;
            for (int i = 0; i < users; i++)
            {
                int u = random.Next(users);
                sumA += a[u];
                sumB += b[u];
                n += counts[u];
            }

            differences[r] = Math.Sqrt(sumA / n) - Math.Sqrt(sumB / n);
        }

        Array.Sort(differences);
        double tail = (1 - confidence) / 2;
        return new RmseDifference(model, reference, errors.Rmse - referenceErrors.Rmse,
            Quantile(differences, tail), Quantile(differences, 1 - tail), confidence, resamples);
    }

    /// <summary>Linear interpolation between order statistics of a sorted sample.</summary>
    private static double Quantile(double[] sorted, double p)
    {
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
