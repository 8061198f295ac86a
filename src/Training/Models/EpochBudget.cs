using System.Diagnostics;

namespace NetflixRec.Training.Models;

/// <summary>
/// How much of each epoch the batch loops run: whole epochs (<see cref="Whole"/>, real training), or a fraction, which
/// bench-ae and bench-gnn use to time the first part of an epoch at full scale, where whole epochs take hours, and
/// extrapolate from the fraction done. It travels with the <see cref="TrainingData"/> the trainers receive
/// (<see cref="TrainingData.Budget"/>); <see cref="EpochLoop"/> starts each epoch on it and the batch loops ask it before
/// each batch. A fractional budget records what it measured, so use one per training run.
/// </summary>
public sealed class EpochBudget(double fraction)
{
    private long _started;

    /// <summary>Every epoch runs whole; never changes.</summary>
    public static EpochBudget Whole { get; } = new(1);

    /// <summary>The fraction of an epoch after which its batch loop stops, in (0, 1].</summary>
    public double Limit { get; } = fraction is > 0 and <= 1 ? fraction : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "an epoch fraction must be in (0, 1]");

    /// <summary>The fraction of the current (or last) epoch's work done.</summary>
    public double Done { get; private set; }

    /// <summary>Seconds from the epoch's start to the end of its batch loop, when the budget ended it (else null).</summary>
    public double? LoopSeconds { get; private set; }

    /// <summary>Called by an epoch loop before its first batch.</summary>
    public void StartEpoch()
    {
        if (ReferenceEquals(this, Whole))
        {
            return; // shared by every run: it keeps no measurements
        }

        Done = 0;
        LoopSeconds = null;
        _started = Stopwatch.GetTimestamp();
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
    public bool Allows(long doneAfterBatch, long total)
    {
        if (ReferenceEquals(this, Whole))
        {
            return true;
        }

        if (Done >= Limit)
        {
            LoopSeconds ??= Stopwatch.GetElapsedTime(_started).TotalSeconds;
            return false;
        }

        Done = total == 0 ? 1 : (double)doneAfterBatch / total;
        return true;
    }
}
