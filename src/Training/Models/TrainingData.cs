using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
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
    /// <summary>How much of each epoch to run: whole epochs unless a benchmark sets a fraction.</summary>
    public EpochBudget Budget { get; init; } = EpochBudget.Whole;

    /// <summary>
    /// A validation slice smaller than this is floored (see <see cref="ValidationShare"/>): on 1,600 ratings, as 2 % of a
    /// 100,000-rating set gives, the epoch-to-epoch wiggle of the RMSE is as large as the improvements early stopping
    /// waits for, and training stopped on noise.
    /// </summary>
    public const int MinValidationRatings = 10_000;

    /// <summary>The most a floor may take from training: a tenth of it.</summary>
    public const double MaxFlooredShare = 0.1;

    /// <summary>
    /// The training partition of a stored dataset minus a seeded validation slice (see <see cref="Prepare"/>), with the
    /// probe and qualifying pairs as implicit feedback.
    /// </summary>
    public static TrainingData Load(IRatingBatchSource dataset, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Load(dataset, RatingBatches.LoadRatings(dataset, DatasetPartition.Train), validationFraction, seed);
    }

    /// <summary>
    /// As <see cref="Load(IRatingBatchSource, double, int)"/>, over the dataset's training partition already loaded, in
    /// the order the source yields it (compare loads it once for the evaluation index and splits that copy instead of
    /// reading a second one). The returned data does not keep <paramref name="loadedTrain"/> alive unless nothing is
    /// held out.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="loadedTrain"/> does not have the partition's row count.</exception>
    public static TrainingData Load(IRatingBatchSource dataset, RatingTable loadedTrain, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(loadedTrain);
        long rows = dataset.Manifest.PartitionOf(DatasetPartition.Train).Rows;
        if (loadedTrain.Count != rows)
        {
            throw new ArgumentException($"the loaded training table has {loadedTrain.Count} rows, the dataset's training partition {rows}", nameof(loadedTrain));
        }

        RatingTable probe = RatingBatches.LoadRatings(dataset, DatasetPartition.Probe);
        QueryTable qualifying = RatingBatches.LoadQualifying(dataset);
        var implicitOnly = new QueryTable(
            Concat(probe.Users, qualifying.Users), Concat(probe.Movies, qualifying.Movies), Concat(probe.Days, qualifying.Days));
        return Prepare(loadedTrain, dataset.Manifest.Users, dataset.Manifest.Movies, implicitOnly, dataset.Manifest.Fingerprint, validationFraction, seed);
    }

    /// <summary>
    /// Holds a seeded random share of the training ratings out for early stopping: <paramref name="validationFraction"/>,
    /// floored (see <see cref="ValidationShare"/>).
    /// </summary>
    public static TrainingData Prepare(RatingTable train, int users, int movies, QueryTable implicitOnly, string fingerprint,
        double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        double share = ValidationShare(validationFraction, train.Count);
        if (share == 0)
        {
            // Nothing held out: the table itself, not a full copy of it (≈ 0.9 GB at Prize size).
            return new TrainingData(train, RatingTable.Empty, users, movies, RatingStatistics.MeanOf(train), implicitOnly, fingerprint);
        }

        Split split = Splits.RandomRatio(train, share, seed);
        return new TrainingData(split.Train, split.Test, users, movies, RatingStatistics.MeanOf(split.Train), implicitOnly, fingerprint);
    }

    /// <summary>
    /// The share of <paramref name="ratings"/> held out: the configured fraction, or enough for
    /// <see cref="MinValidationRatings"/> but never above <see cref="MaxFlooredShare"/> when the fraction gives fewer.
    /// On the Prize (99 M ratings) and the larger generated scales the fraction rules; on a small dense set (80,000
    /// ratings) the floor holds out 8,000 instead of 1,600. Zero stays zero (no validation: train every epoch).
    /// </summary>
    public static double ValidationShare(double validationFraction, int ratings) =>
        validationFraction <= 0 || ratings <= 0
            ? validationFraction
            : Math.Max(validationFraction, Math.Min(MaxFlooredShare, (double)MinValidationRatings / ratings));

    private static T[] Concat<T>(ReadOnlyMemory<T> first, ReadOnlyMemory<T> second) => [.. first.Span, .. second.Span];
}
