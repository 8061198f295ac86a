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

    // Chunks per thread predicted at once by Rmse(model, table) before their errors are summed.
    private const int ChunksPerThreadInWave = 4;

    /// <summary>Clipped predictions for every row of <paramref name="table"/> (on its day, for an <see cref="IDatedRatingModel"/>), on at most <paramref name="threads"/> threads.</summary>
    public static float[] PredictClipped(IRatingModel model, RatingTable table, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var predictions = new float[table.Count];
        PredictClipped(model, table, 0, predictions, table.Count, threads);
        return predictions;
    }

    // Rows [first, first + count) of the table into predictions[0..count).
    private static void PredictClipped(IRatingModel model, RatingTable table, int first, float[] predictions, int count, int threads)
    {
        Parallel.For(0, (count + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int offset = c * Chunk, start = first + offset, length = Math.Min(Chunk, count - offset);
            Span<float> slice = predictions.AsSpan(offset, length);
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
    }

    /// <summary>
    /// Root mean squared error of the clipped predictions (all cores); NaN for an empty table. A wave of chunks is
    /// predicted at a time and its errors summed in row order: the same sum as over an array of every prediction, without
    /// that array (400 MB for the training ratings at Netflix size, every epoch).
    /// </summary>
    public static double Rmse(IRatingModel model, RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(table);
        int threads = Environment.ProcessorCount;
        var wave = new float[Math.Min(table.Count, threads * ChunksPerThreadInWave * Chunk)];
        ReadOnlySpan<byte> ratings = table.Ratings.Span;
        double sum = 0;
        for (int first = 0; first < table.Count; first += wave.Length)
        {
            int count = Math.Min(wave.Length, table.Count - first);
            PredictClipped(model, table, first, wave, count, threads);
            sum = AddSquaredErrors(sum, wave.AsSpan(0, count), ratings.Slice(first, count));
        }

        return table.Count == 0 ? double.NaN : Math.Sqrt(sum / table.Count);
    }

    /// <summary>Root mean squared error of aligned predictions and stars; NaN when empty.</summary>
    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        if (predictions.Length != ratings.Length)
        {
            throw new ArgumentException($"{predictions.Length} predictions for {ratings.Length} ratings: the series must be aligned");
        }

        return predictions.Length == 0 ? double.NaN : Math.Sqrt(AddSquaredErrors(0, predictions, ratings) / predictions.Length);
    }

    private static double AddSquaredErrors(double sum, ReadOnlySpan<float> predictions, ReadOnlySpan<byte> ratings)
    {
        for (int i = 0; i < predictions.Length; i++)
        {
            double e = predictions[i] - ratings[i];
            sum += e * e;
        }

        return sum;
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
