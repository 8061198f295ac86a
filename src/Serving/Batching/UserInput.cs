using NetflixRec.Contracts.Runtime;

namespace NetflixRec.Serving;

/// <summary>
/// One batch row's user as the graph takes it: a user index for <c>user_index</c> graphs, or ratings (movie indices and
/// stars) for <c>user_ratings</c> graphs — a known user's training history, or the ratings a request gives.
/// </summary>
public readonly record struct UserInput(int User, ReadOnlyMemory<short> Movies, ReadOnlyMemory<byte> Stars)
{
    /// <summary>A known user: the index, and the history that rating-vector graphs read.</summary>
    public static UserInput Known(ModelArtifacts artifacts, int user)
    {
        int start = artifacts.HistoryOffsets[user];
        int length = artifacts.HistoryOffsets[user + 1] - start;
        return new UserInput(user, artifacts.HistoryMovies.AsMemory(start, length), artifacts.HistoryRatings.AsMemory(start, length));
    }

    /// <summary>A person the model never saw (only rating-vector graphs can score them).</summary>
    public static UserInput FromRatings(ReadOnlyMemory<short> movies, ReadOnlyMemory<byte> stars) => new(-1, movies, stars);
}

/// <summary>
/// The one place where batch rows become graph inputs, so that a new input (e.g. a day for time-aware models) is added
/// here once for every call that scores.
/// </summary>
internal static class BatchInputs
{
    /// <summary>Writes row b's user into <paramref name="userIndex"/>[b] or <paramref name="ratings"/>[b × movies ..].</summary>
    public static void Fill(bool ratingVector, IReadOnlyList<UserInput> users, Span<long> userIndex, Span<float> ratings, int movies)
    {
        for (int b = 0; b < users.Count; b++)
        {
            UserInput user = users[b];
            if (!ratingVector)
            {
                userIndex[b] = user.User;
                continue;
            }

            RatingVector.Fill(ratings.Slice(b * movies, movies), user.Movies.Span, user.Stars.Span);
        }
    }
}
