using NetflixRec.Contracts;

namespace NetflixRec.Training.Models;

/// <summary>
/// The steps of one trainer that <see cref="EpochLoop.Run{TSnapshot}"/> drives, for a trainer whose live state is not an
/// <see cref="IRatingModel"/> until it ends (biased-mf's SGD engine).
/// </summary>
/// <param name="Train">Trains epoch t (from 1), timed; returns the epoch's training RMSE when it measured it on the way.</param>
/// <param name="Validate">The validation RMSE of the current weights (NaN: no validation slice, every epoch is the best).</param>
/// <param name="Keep">Sets the current weights aside: called when an epoch is the new best, or once at the end when the
/// loop keeps the last epoch.</param>
/// <param name="TrainRmse">Measures the training RMSE (untimed) when <paramref name="Train"/> returned null.</param>
public sealed record EpochSteps<TSnapshot>(
    Func<int, double?> Train,
    Func<double> Validate,
    Func<TSnapshot> Keep,
    Func<double>? TrainRmse = null);

/// <summary>What <see cref="EpochLoop.Run{TSnapshot}"/> kept: the snapshot, the learning curve and the epoch it came from.</summary>
public sealed record EpochRun<TSnapshot>(TSnapshot Kept, IReadOnlyList<EpochRecord> Curve, int KeptEpoch);
