namespace NetflixRec.Training.Models;

/// <summary>
/// A model whose prediction depends on the rating's day (time-aware models). Evaluation and prediction hand it each
/// row's day; <see cref="IRatingModel.Predict"/> and <see cref="IRatingModel.ScoreAll"/> without a day use
/// <see cref="DefaultDay"/> (the user's latest training day), so every caller that knows no day still gets a sound score.
/// </summary>
public interface IDatedRatingModel : IRatingModel
{
    /// <summary>The predicted rating of each (user, movie) pair on its day (days since 1970-01-01).</summary>
    void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, ReadOnlySpan<short> days, Span<float> predictions);

    /// <summary>The score of every movie for each user on that user's day, row-major [users × Movies].</summary>
    void ScoreAll(ReadOnlySpan<int> users, ReadOnlySpan<short> days, Span<float> scores);

    /// <summary>The day a prediction without one is made for: the user's latest training day (the mean day for a user without ratings).</summary>
    short DefaultDay(int user);
}
