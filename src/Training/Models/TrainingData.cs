using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models;

/// <summary>
/// What every trainer receives: the ratings to fit, a validation slice held out of them for early stopping (never the
/// probe), the index ranges, and the pairs whose ratings are hidden but whose existence is known (probe and qualifying:
/// SVD++'s implicit feedback, as in the Prize).
/// </summary>
public sealed record TrainingData(
    RatingTable Train,
    RatingTable Validation,
    int Users,
    int Movies,
    double GlobalMean,
    QueryTable ImplicitOnly,
    string DataFingerprint)
{
    /// <summary>
    /// Holds a seeded random <paramref name="validationFraction"/> of the training ratings out for early stopping.
    /// </summary>
    public static TrainingData Prepare(RatingTable train, int users, int movies, QueryTable implicitOnly, string fingerprint,
        double validationFraction, int seed)
    {
        Split split = Splits.RandomRatio(train, validationFraction, seed);
        return new TrainingData(split.Train, split.Test, users, movies, RatingStatistics.MeanOf(split.Train), implicitOnly, fingerprint);
    }
}
