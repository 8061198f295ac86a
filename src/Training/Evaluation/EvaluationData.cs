using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// What evaluation needs from the data, built once and shared by every model compared on it: the held-out table and
/// its oracle (empty when none), both tables indexed by user, and the training popularity of each movie.
/// </summary>
public sealed record EvaluationData(
    RatingTable HeldOut,
    ReadOnlyMemory<float> Oracle,
    UserItemIndex Train,
    UserItemIndex HeldOutByUser,
    MoviePopularity Popularity)
{
    public int Users => Train.Users;

    public int Movies => Train.Movies;

    /// <summary>Indexes <paramref name="train"/> and <paramref name="heldOut"/> over the given index ranges.</summary>
    public static EvaluationData Prepare(RatingTable train, RatingTable heldOut, ReadOnlyMemory<float> oracle, int users, int movies)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(heldOut);
        if (!oracle.IsEmpty && oracle.Length != heldOut.Count)
        {
            throw new ArgumentException($"the oracle has {oracle.Length} values for {heldOut.Count} held-out ratings", nameof(oracle));
        }

        UserItemIndex trainIndex = Index(train, "training", users, movies);
        return new EvaluationData(heldOut, oracle, trainIndex, Index(heldOut, "held-out", users, movies), MoviePopularity.Compute(train, movies));
    }

    private static UserItemIndex Index(RatingTable table, string name, int users, int movies)
    {
        try
        {
            return UserItemIndex.Build(table, users, movies);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{name} ratings: {e.Message}", e);
        }
    }
}
