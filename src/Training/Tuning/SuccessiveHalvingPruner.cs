namespace NetflixRec.Training.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020) run one trial at a time: rungs sit at epochs
/// <c>min·η^k</c>; a trial reaching a rung continues only if its best validation loss so far is among the best 1/η of
/// the values every earlier trial had at that rung (a trial that finished before the rung counts with its final best).
/// Until <see cref="MinPeers"/> earlier trials reached a rung, nothing is pruned there: too few to rank against.
/// The first rung is at epoch 4, not 1: with a decaying learning rate the first epochs favour large steps, and a
/// slower configuration that ends better would be cut before its curve shows it (short-horizon bias).
/// </summary>
public sealed class SuccessiveHalvingPruner(int minEpoch = 4, int eta = 3, int minPeers = 4)
{
    public int MinEpoch => minEpoch;

    public int Eta => eta;

    public int MinPeers => minPeers;

    /// <summary>Whether <paramref name="epoch"/> (from 1) is a rung.</summary>
    public bool IsRung(int epoch)
    {
        if (epoch < minEpoch)
        {
            return false;
        }

        long rung = minEpoch;
        while (rung < epoch)
        {
            rung *= eta;
        }

        return rung == epoch;
    }

    /// <summary>True when a trial whose best loss up to <paramref name="epoch"/> is <paramref name="bestSoFar"/> should stop.</summary>
    public bool ShouldPrune(int epoch, double bestSoFar, IReadOnlyList<TrialRecord> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!IsRung(epoch) || !double.IsFinite(bestSoFar))
        {
            return false;
        }

        List<double> peers = [];
        foreach (TrialRecord trial in history)
        {
            bool reached = trial.Curve.Count >= epoch && trial.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.OutOfBudget;
            bool finishedBefore = trial.Curve.Count < epoch && trial.Status == TrialStatus.Complete;
            double value = trial.BestUpTo(epoch);
            if ((reached || finishedBefore) && double.IsFinite(value))
            {
                peers.Add(value);
            }
        }

        if (peers.Count < minPeers)
        {
            return false;
        }

        // Among the peers and this trial, the best ⌊n/η⌋ (at least one) go on; ties go the trial's way.
        int keep = Math.Max(1, (peers.Count + 1) / eta);
        int better = peers.Count(v => v < bestSoFar);
        return better >= keep;
    }
}
