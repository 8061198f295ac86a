using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>How a trial ended.</summary>
public enum TrialStatus
{
    /// <summary>Trained to its own end (all epochs or early stopping): its loss is the final validation score.</summary>
    Complete,

    /// <summary>Stopped at a rung of successive halving: its curve was behind its peers'. The loss is its best so far.</summary>
    Pruned,

    /// <summary>Stopped because the tuning budget ran out during it; never chosen as the best.</summary>
    OutOfBudget,

    /// <summary>The configuration was refused by the trainer (an invalid combination); the error says why.</summary>
    Failed,
}

/// <summary>
/// One trial of a tuning run: the sampled values of the space's parameters, how it ended, its loss (lower is better; see
/// <see cref="TuningObjective"/>), the validation curve per epoch, and what it cost in CPU and wall seconds.
/// </summary>
public sealed record TrialRecord(
    int Number,
    JsonObject Parameters,
    TrialStatus Status,
    double Loss,
    IReadOnlyList<double> Curve,
    double CpuSeconds,
    double WallSeconds,
    string? Error = null)
{
    public bool IsComplete => Status == TrialStatus.Complete && double.IsFinite(Loss);

    /// <summary>The best validation value up to and including <paramref name="epoch"/> (from 1), or NaN before it.</summary>
    public double BestUpTo(int epoch)
    {
        double best = double.NaN;
        for (int e = 0; e < Math.Min(epoch, Curve.Count); e++)
        {
            if (double.IsFinite(Curve[e]) && !(best <= Curve[e]))
            {
                best = Curve[e];
            }
        }

        return best;
    }
}
