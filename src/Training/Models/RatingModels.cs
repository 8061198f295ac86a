namespace NetflixRec.Training.Models;

/// <summary>
/// <see cref="IRatingModel"/>'s span methods with arrays out: what a caller that holds arrays or memory (F#, scripts)
/// calls. The span methods stay the ones for hot loops that reuse buffers.
/// </summary>
public static class RatingModels
{
    /// <summary>The predicted rating of each (user, movie) pair, raw (unclipped).</summary>
    public static float[] Predict(this IRatingModel model, ReadOnlyMemory<int> users, ReadOnlyMemory<short> movies)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (users.Length != movies.Length)
        {
            throw new ArgumentException($"{users.Length} users but {movies.Length} movies", nameof(movies));
        }

        var predictions = new float[users.Length];
        model.Predict(users.Span, movies.Span, predictions);
        return predictions;
    }

    /// <summary>The score of every movie for each user, row-major [users × Movies].</summary>
    public static float[] ScoreAll(this IRatingModel model, ReadOnlyMemory<int> users)
    {
        ArgumentNullException.ThrowIfNull(model);
        var scores = new float[(long)users.Length * model.Movies];
        model.ScoreAll(users.Span, scores);
        return scores;
    }
}
