using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// RMSE by user activity, because cold users are where the model families differ. Users are bucketed by how many
/// ratings they have in the TRAINING table: 1–10, 11–50, 51–200 and 201+, plus a "0" bucket for held-out users with no
/// training ratings at all (none in the Prize data; a generator may produce them).
/// </summary>
public static class ActivityBuckets
{
    /// <summary>The bucket bounds (inclusive) and labels, in order.</summary>
    public static IReadOnlyList<ActivityRange> Bounds { get; } =
    [
        new("0", 0, 0),
        new("1-10", 1, 10),
        new("11-50", 11, 50),
        new("51-200", 51, 200),
        new("201+", 201, int.MaxValue),
    ];

    /// <summary>The index in <see cref="Bounds"/> of a user with <paramref name="trainingRatings"/> training ratings.</summary>
    public static int BucketOf(int trainingRatings) => trainingRatings switch
    {
        <= 0 => 0,
        <= 10 => 1,
        <= 50 => 2,
        <= 200 => 3,
        _ => 4,
    };

    /// <summary>Per-bucket counts and RMSE of <paramref name="clippedPredictions"/> (aligned with <paramref name="heldOut"/>).</summary>
    public static IReadOnlyList<ActivityBucket> Compute(ReadOnlySpan<float> clippedPredictions, RatingTable heldOut, UserItemIndex train)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(train);
        if (clippedPredictions.Length != heldOut.Count)
        {
            throw new ArgumentException($"{clippedPredictions.Length} predictions for {heldOut.Count} held-out ratings", nameof(clippedPredictions));
        }

        int buckets = Bounds.Count;
        var squares = new double[buckets];
        var ratings = new int[buckets];
        var users = new int[buckets];
        var seen = new bool[train.Users];
        ReadOnlySpan<int> rowUsers = heldOut.Users.Span;
        ReadOnlySpan<byte> stars = heldOut.Ratings.Span;
        for (int i = 0; i < rowUsers.Length; i++)
        {
            int user = rowUsers[i];
            int b = BucketOf(train.CountOf(user));
            double e = clippedPredictions[i] - stars[i];
            squares[b] += e * e;
            ratings[b]++;
            if (!seen[user])
            {
                seen[user] = true;
                users[b]++;
            }
        }

        var result = new ActivityBucket[buckets];
        for (int b = 0; b < buckets; b++)
        {
            ActivityRange range = Bounds[b];
            result[b] = new ActivityBucket(range.Label, range.MinTrainingRatings, range.MaxTrainingRatings, users[b], ratings[b], ratings[b] == 0 ? double.NaN : Math.Sqrt(squares[b] / ratings[b]));
        }

        return result;
    }
}
