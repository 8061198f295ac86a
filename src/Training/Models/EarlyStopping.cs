namespace NetflixRec.Training.Models;

/// <summary>
/// Keeps the best epoch by validation RMSE and says when to stop: after <c>patience</c> epochs without an improvement.
/// With an empty validation slice (NaN RMSE) every epoch counts as the best, so training runs all its epochs.
/// </summary>
public sealed class EarlyStopping<TSnapshot>(int patience)
{
    public double BestRmse { get; private set; } = double.PositiveInfinity;

    public int BestEpoch { get; private set; }

    public TSnapshot? Best { get; private set; }

    /// <summary>Records an epoch; <paramref name="snapshot"/> is only called when the epoch is the new best. Returns true to stop.</summary>
    public bool Observe(int epoch, double validationRmse, Func<TSnapshot> snapshot)
    {
        if (double.IsNaN(validationRmse) || validationRmse < BestRmse - 1e-6)
        {
            BestRmse = double.IsNaN(validationRmse) ? BestRmse : validationRmse;
            BestEpoch = epoch;
            Best = snapshot();
            return false;
        }

        return patience > 0 && epoch - BestEpoch >= patience;
    }
}
