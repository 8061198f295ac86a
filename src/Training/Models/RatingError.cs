using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models;

/// <summary>
/// The error the trainers measure and stop on: RMSE of predictions clipped to the 1–5 star range. It lives with the
/// models (evaluation reports the same numbers through <c>Evaluation.RatingMetrics</c>), so training never depends on
/// evaluation.
/// </summary>
public static class RatingError
{
    public const float MinStars = 1f;
    public const float MaxStars = 5f;

    private const int Chunk = 1 << 14;

    /// <summary>Clipped predictions for every row of <paramref name="table"/> (on its day, for an <see cref="IDatedRatingModel"/>), on at most <paramref name="threads"/> threads.</summary>
    public static float[] PredictClipped(IRatingModel model, RatingTable table, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var predictions = new float[table.Count];
        Parallel.For(0, (table.Count + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int start = c * Chunk, length = Math.Min(Chunk, table.Count - start);
            Span<float> slice = predictions.AsSpan(start, length);
            // A time-aware model is told each row's day; the others ignore it.
            if (model is IDatedRatingModel dated)
            {
                dated.Predict(table.Users.Span.Slice(start, length), table.Movies.Span.Slice(start, length), table.Days.Span.Slice(start, length), slice);
            }
            else
            {
                model.Predict(table.Users.Span.Slice(start, length), table.Movies.Span.Slice(start, length), slice);
            }

            Clip(slice);
        });
        return predictions;
    }

    /// <summary>Root mean squared error of the clipped predictions (all cores); NaN for an empty table.</summary>
    public static double Rmse(IRatingModel model, RatingTable table) =>
        Rmse(PredictClipped(model, table, Environment.ProcessorCount), table.Ratings.Span);

    /// <summary>Root mean squared error of aligned predictions and stars; NaN when empty.</summary>
    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        if (predictions.Length != ratings.Length)
        {
            throw new ArgumentException($"{predictions.Length} predictions for {ratings.Length} ratings: the series must be aligned");
        }

        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = predictions[i] - ratings[i];
            sum += e * e;
        }

        return predictions.Length == 0 ? double.NaN : Math.Sqrt(sum / predictions.Length);
    }

    /// <summary>One prediction clipped to the star range.</summary>
    public static float Clip(float prediction) => Math.Clamp(prediction, MinStars, MaxStars);

    public static void Clip(Span<float> predictions)
    {
        for (int i = 0; i < predictions.Length; i++)
        {
            predictions[i] = Clip(predictions[i]);
        }
    }
}
