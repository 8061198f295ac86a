using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Reporting;

/// <summary>
/// A model's held-out squared and absolute errors summed per user, over the users that have held-out ratings (in
/// ascending user order, the same for every model on the same table): the unit the paired bootstrap resamples.
/// </summary>
public sealed record UserErrors(ReadOnlyMemory<int> Users, ReadOnlyMemory<int> Counts, ReadOnlyMemory<double> SquaredErrors, ReadOnlyMemory<double> AbsoluteErrors)
{
    public double Rmse => Math.Sqrt(Sum(SquaredErrors.Span) / Sum(Counts.Span));

    public double Mae => Sum(AbsoluteErrors.Span) / Sum(Counts.Span);

    /// <summary>Sums the errors of <paramref name="clippedPredictions"/> (aligned with <paramref name="heldOut"/>) by user.</summary>
    public static UserErrors Compute(ReadOnlySpan<float> clippedPredictions, RatingTable heldOut, int users)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        if (clippedPredictions.Length != heldOut.Count)
        {
            throw new ArgumentException($"{clippedPredictions.Length} predictions for {heldOut.Count} held-out ratings", nameof(clippedPredictions));
        }

        var counts = new int[users];
        var squared = new double[users];
        var absolute = new double[users];
        ReadOnlySpan<int> who = heldOut.Users.Span;
        ReadOnlySpan<byte> stars = heldOut.Ratings.Span;
        for (int i = 0; i < who.Length; i++)
        {
            double error = clippedPredictions[i] - stars[i];
            counts[who[i]]++;
            squared[who[i]] += error * error;
            absolute[who[i]] += Math.Abs(error);
        }

        int present = counts.Count(c => c > 0);
        var outUsers = new int[present];
        var outCounts = new int[present];
        var outSquared = new double[present];
        var outAbsolute = new double[present];
        int k = 0;
        for (int u = 0; u < users; u++)
        {
            if (counts[u] > 0)
            {
                (outUsers[k], outCounts[k], outSquared[k], outAbsolute[k]) = (u, counts[u], squared[u], absolute[u]);
                k++;
            }
        }

        return new UserErrors(outUsers, outCounts, outSquared, outAbsolute);
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static double Sum(ReadOnlySpan<int> values)
    {
        long sum = 0;
        foreach (int v in values)
        {
            sum += v;
        }

        return sum;
    }
}
