using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Evaluation;

/// <summary>Rating accuracy of a model on a table of known ratings, with predictions clipped to the 1–5 star range.</summary>
public static class RatingMetrics
{
    public const float MinStars = 1f;
    public const float MaxStars = 5f;

    private const int Chunk = 1 << 14;

    /// <summary>Clipped predictions for every row of <paramref name="table"/>.</summary>
    public static float[] PredictClipped(IRatingModel model, RatingTable table)
    {
        var predictions = new float[table.Count];
        Parallel.For(0, (table.Count + Chunk - 1) / Chunk, c =>
        {
            int start = c * Chunk, length = Math.Min(Chunk, table.Count - start);
            Span<float> slice = predictions.AsSpan(start, length);
            model.Predict(table.Users.Span.Slice(start, length), table.Movies.Span.Slice(start, length), slice);
            Clip(slice);
        });
        return predictions;
    }

    /// <summary>Root mean squared error of the clipped predictions; NaN for an empty table.</summary>
    public static double Rmse(IRatingModel model, RatingTable table) => Rmse(PredictClipped(model, table), table.Ratings.Span);

    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = predictions[i] - ratings[i];
            sum += e * e;
        }

        return predictions.Length == 0 ? double.NaN : Math.Sqrt(sum / predictions.Length);
    }

    /// <summary>Mean absolute error; NaN for an empty table.</summary>
    public static double Mae(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            sum += Math.Abs(predictions[i] - ratings[i]);
        }

        return predictions.Length == 0 ? double.NaN : sum / predictions.Length;
    }

    public static void Clip(Span<float> predictions)
    {
        for (int i = 0; i < predictions.Length; i++)
        {
            predictions[i] = Math.Clamp(predictions[i], MinStars, MaxStars);
        }
    }
}
