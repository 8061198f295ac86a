namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The Prize's time span and the day samplers. Volume grows over time as it did at Netflix: sign-ups grow
/// exponentially, each customer keeps rating from sign-up to the end (a little more as time goes on), and activity
/// weights scale with tenure, so the ratings of a year follow the customer base (the Prize: about half in 2005).
/// </summary>
internal static class SyntheticCalendar
{
    public static readonly short Start = DayNumber.FromDate(new DateOnly(1999, 11, 11));
    public static readonly short End = DayNumber.FromDate(new DateOnly(2005, 12, 31));

    /// <summary>Growth over the whole span for sign-ups: the last day is e^2 ≈ 7 times as likely as the first.</summary>
    public const double JoinGrowth = 2.0;

    /// <summary>Growth of a customer's own rating activity over the whole span.</summary>
    public const double ActivityGrowth = 0.5;

    public static int SpanDays => End - Start + 1;

    /// <summary>A day in [from, End] with density ∝ exp(growth · t / SpanDays).</summary>
    public static short Draw(ref Rng rng, short from, double growth)
    {
        if (from >= End)
        {
            return End;
        }

        int length = End - from + 1;
        double rate = growth / SpanDays;
        double u = rng.NextDouble();
        if (Math.Abs(rate * length) < 1e-9)
        {
            return (short)(from + (int)(u * length));
        }

        // Inverse CDF of the truncated exponential growth on [0, length).
        double offset = Math.Log(1 + (u * (Math.Exp(rate * length) - 1))) / rate;
        int day = from + (int)offset;
        return (short)Math.Min(day, End);
    }

    /// <summary>A day in [from, End] with density ∝ exp(−(t − from) / meanDays): the decay after a release.</summary>
    public static short DrawDecay(ref Rng rng, short from, double meanDays)
    {
        if (from >= End)
        {
            return End;
        }

        int length = End - from + 1;
        double u = rng.NextDouble();
        double offset = -meanDays * Math.Log(1 - (u * (1 - Math.Exp(-length / meanDays))));
        return (short)Math.Min(from + (int)offset, End);
    }

    /// <summary>Years between two day numbers, for the drift term.</summary>
    public static double Years(double fromDay, double toDay) => (toDay - fromDay) / 365.25;
}
