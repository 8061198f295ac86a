using System.Diagnostics;

namespace NetflixRec.Training.Models;

/// <summary>
/// A benchmark's cap on how much of each epoch the trainers run: bench-ae and bench-gnn time the first part of an epoch
/// at full scale, where whole epochs take hours, and extrapolate from the fraction done. Ambient (per async flow) so the
/// trainers' signatures stay those of real training; absent, every epoch runs whole.
/// </summary>
public sealed class EpochBudget(double fraction)
{
    private static readonly AsyncLocal<EpochBudget?> s_current = new();

    /// <summary>The budget of the running benchmark, or null.</summary>
    public static EpochBudget? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>The fraction of an epoch after which its batch loop stops, in (0, 1].</summary>
    public double Limit { get; } = fraction is > 0 and <= 1 ? fraction : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "an epoch fraction must be in (0, 1]");

    /// <summary>The fraction of the current (or last) epoch's work done.</summary>
    public double Done { get; private set; }

    /// <summary>Seconds from the epoch's start to the end of its batch loop, when the budget ended it (else null).</summary>
    public double? LoopSeconds { get; private set; }

    private long _started;

    /// <summary>Called by an epoch loop before its first batch.</summary>
    public static void StartEpoch()
    {
        if (Current is { } budget)
        {
            budget.Done = 0;
            budget.LoopSeconds = null;
            budget._started = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// The whole epoch's time from a measured one (from <see cref="StartEpoch"/> to its end): the batch loop's part is
    /// scaled by the fraction done; what follows the loop (copying weights out, precomputing embeddings) runs once per
    /// epoch whatever the fraction, so it is counted once.
    /// </summary>
    public double Extrapolate(double epochSeconds) =>
        LoopSeconds is { } loop && Done is > 0 and < 1 ? (loop / Done) + (epochSeconds - loop) : epochSeconds;

    /// <summary>
    /// Called by a batch loop before a batch that brings the epoch to <paramref name="doneAfterBatch"/> of
    /// <paramref name="total"/> units (ratings, rows or edges): false once the budget is spent, and the loop ends the epoch.
    /// </summary>
    public static bool Allows(long doneAfterBatch, long total)
    {
        if (Current is not { } budget)
        {
            return true;
        }

        if (budget.Done >= budget.Limit)
        {
            budget.LoopSeconds ??= Stopwatch.GetElapsedTime(budget._started).TotalSeconds;
            return false;
        }

        budget.Done = total == 0 ? 1 : (double)doneAfterBatch / total;
        return true;
    }
}
