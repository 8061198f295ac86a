using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Evaluation;

/// <summary>Rating accuracy of a model on a table of known ratings, with predictions clipped to the 1–5 star range.</summary>
public static class RatingMetrics
{
    public const float MinStars = RatingError.MinStars;
    public const float MaxStars = RatingError.MaxStars;

    /// <summary>Clipped predictions for every row of <paramref name="table"/>.</summary>
    public static float[] PredictClipped(IRatingModel model, RatingTable table) => RatingError.PredictClipped(model, table, Environment.ProcessorCount);

    /// <summary>Clipped predictions for every row of <paramref name="table"/>, on at most <paramref name="threads"/> threads.</summary>
    public static float[] PredictClipped(IRatingModel model, RatingTable table, int threads) => RatingError.PredictClipped(model, table, threads);

    /// <summary>Root mean squared error of the clipped predictions; NaN for an empty table.</summary>
    public static double Rmse(IRatingModel model, RatingTable table) => RatingError.Rmse(model, table);

    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings) => RatingError.Rmse(predictions, ratings);

    /// <summary>Root mean squared difference of two aligned series (a model against the oracle); NaN when empty.</summary>
    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        RequireSameLength(predictions.Length, targets.Length);
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = (double)predictions[i] - targets[i];
            sum += e * e;
        }

        return predictions.Length == 0 ? double.NaN : Math.Sqrt(sum / predictions.Length);
    }

    /// <summary>
    /// The oracle's RMSE: the generator's expected rating of each held-out pair (before the rating noise, not clipped)
    /// against the stars actually drawn — the irreducible error no model can beat on average. NaN when empty.
    /// </summary>
    public static double OracleRmse(ReadOnlySpan<float> oracle, ReadOnlySpan<byte> ratings) => Rmse(oracle, ratings);

    /// <summary>Mean absolute error; NaN for an empty table.</summary>
    public static double Mae(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        RequireSameLength(predictions.Length, ratings.Length);
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            sum += Math.Abs(predictions[i] - ratings[i]);
        }

        return predictions.Length == 0 ? double.NaN : sum / predictions.Length;
    }

    public static void Clip(Span<float> predictions) => RatingError.Clip(predictions);

    private static void RequireSameLength(int predictions, int targets)
    {
        if (predictions != targets)
        {
            throw new ArgumentException($"{predictions} predictions for {targets} ratings: the series must be aligned");
        }
    }
}
