namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// How a day enters the time-aware models: the user drift dev_u(t) = sign(t − t_u)·|t − t_u|^β (Koren 2009; t_u the user's
/// mean training day, β ≈ 0.4 so a year away counts about ten times a day away, not 365), and the movie's time bin: the
/// span from <see cref="FirstDay"/> cut into <see cref="Bins"/> bins of <see cref="BinDays"/> days, days outside it clamped
/// to the first or last bin.
/// </summary>
public readonly record struct TimeAxis(float Beta, int FirstDay, int BinDays, int Bins)
{
    /// <summary>The axis over the days of <paramref name="days"/>: bins of equal whole days that cover first to last.</summary>
    public static TimeAxis Over(ReadOnlySpan<short> days, float beta, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        int first = short.MaxValue, last = short.MinValue;
        foreach (short day in days)
        {
            first = Math.Min(first, day);
            last = Math.Max(last, day);
        }

        if (days.IsEmpty)
        {
            first = last = 0;
        }

        int span = last - first + 1;
        return new TimeAxis(beta, first, Math.Max(1, (span + bins - 1) / bins), bins);
    }

    /// <summary>dev_u(t) for a user whose mean day is <paramref name="meanDay"/>.</summary>
    public float Deviation(short day, float meanDay)
    {
        float delta = day - meanDay;
        return MathF.Sign(delta) * MathF.Pow(MathF.Abs(delta), Beta);
    }

    /// <summary>The bin of a day, 0 to Bins − 1.</summary>
    public int Bin(short day) => Math.Clamp((day - FirstDay) / BinDays, 0, Bins - 1);
}
