namespace NetflixRec.Training.Models;

/// <summary>
/// Early stopping's patience for a trainer whose epochs hold very different numbers of optimizer steps across data sizes.
/// GC-MC's validation error has plateaus a few dozen steps long before it falls again (on `dense` and MovieLens
/// `ml-latest-small` at 8 steps an epoch, from epoch 3 to epoch 7–11): a patience of 3 epochs stopped it there, 0.03–0.05
/// above where it goes on to. A patience counted in steps covers such a plateau on every size without waiting epochs of
/// 384 steps at Netflix size for it.
/// </summary>
public static class StepPatience
{
    /// <summary>
    /// The patience in epochs: <paramref name="patience"/>, raised until the epochs without improvement hold at least
    /// <paramref name="patienceSteps"/> optimizer steps. A patience of 0 (never stop early) stays 0.
    /// </summary>
    public static int Epochs(int patience, int patienceSteps, long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(patienceSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        if (patience == 0)
        {
            return 0;
        }

        return (int)Math.Max(patience, (patienceSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }
}
