using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Rating accuracy on the held-out table: RMSE and MAE of the clipped predictions, the oracle's own RMSE and the model's
/// RMSE against the oracle (both null without an oracle), and RMSE by training activity.
/// </summary>
public sealed record RatingAccuracy(
    int Ratings,
    double Rmse,
    double Mae,
    double? OracleRmse,
    double? RmseVsOracle,
    IReadOnlyList<ActivityBucket> ByActivity)
{
    /// <summary>
    /// Scores <paramref name="clippedPredictions"/> against <paramref name="heldOut"/>; <paramref name="oracle"/> is
    /// aligned with the held-out rows or empty.
    /// </summary>
    public static RatingAccuracy Compute(ReadOnlyMemory<float> clippedPredictions, RatingTable heldOut, ReadOnlyMemory<float> oracle, UserItemIndex train)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        if (!oracle.IsEmpty && oracle.Length != heldOut.Count)
        {
            throw new ArgumentException($"the oracle has {oracle.Length} values for {heldOut.Count} held-out ratings", nameof(oracle));
        }

        ReadOnlySpan<float> predictions = clippedPredictions.Span;
        ReadOnlySpan<byte> stars = heldOut.Ratings.Span;
        bool hasOracle = !oracle.IsEmpty;
        return new RatingAccuracy(
            heldOut.Count,
            RatingMetrics.Rmse(predictions, stars),
            RatingMetrics.Mae(predictions, stars),
            hasOracle ? RatingMetrics.OracleRmse(oracle.Span, stars) : null,
            hasOracle ? RatingMetrics.Rmse(predictions, oracle.Span) : null,
            ActivityBuckets.Compute(predictions, heldOut, train));
    }
}
