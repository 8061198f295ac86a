using NetflixRec.Contracts;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Evaluation;

/// <summary>A model whose every score is set by the test: <c>Scores[u * Movies + m]</c>.</summary>
internal sealed class FakeModel(int users, int movies, float[] matrix) : IRatingModel
{
    public string Name => "fake";

    public string Family => ModelFamily.Baseline;

    public int Users => users;

    public int Movies => movies;

    public IReadOnlyList<NamedTensor> Tensors => [];

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = matrix[(users[i] * Movies) + movies[i]];
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        for (int i = 0; i < users.Length; i++)
        {
            matrix.AsSpan(users[i] * Movies, Movies).CopyTo(scores.Slice(i * Movies, Movies));
        }
    }
}
