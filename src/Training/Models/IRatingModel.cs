namespace NetflixRec.Training.Models;

/// <summary>
/// A trained model over dense user and movie indices. Immutable: scoring never changes it, so one instance serves many
/// threads. Predictions are raw (unclipped); evaluation clips to the star range.
/// </summary>
public interface IRatingModel
{
    /// <summary>The model name used on the command line (<c>bias</c>, <c>biased-mf</c>, …).</summary>
    string Name { get; }

    /// <summary>One of <see cref="Contracts.ModelFamily"/>.</summary>
    string Family { get; }

    int Users { get; }

    int Movies { get; }

    /// <summary>The predicted rating of each (user, movie) pair.</summary>
    void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions);

    /// <summary>The score of every movie for each user, row-major: <c>scores[i * Movies + m]</c> (for ranking).</summary>
    void ScoreAll(ReadOnlySpan<int> users, Span<float> scores);

    /// <summary>The learned parameters by name, for saving; loading them back must predict the same numbers.</summary>
    IReadOnlyList<NamedTensor> Tensors { get; }
}
