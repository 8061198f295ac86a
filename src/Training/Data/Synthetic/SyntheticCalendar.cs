namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The Prize's time span and the day samplers. Volume grows over time: days are drawn from a density that rises
/// exponentially toward the end of the span, which is how both sign-ups and rating activity grew at Netflix.
/// </summary>
internal static class SyntheticCalendar
{
    public static readonly short Start = DayNumber.FromDate(new DateOnly(1999, 11, 11));
    public static readonly short End = DayNumber.FromDate(new DateOnly(2005, 12, 31));

    /// <summary>Growth over the whole span for sign-ups: the last day is e^2.5 ≈ 12 times as likely as the first.</summary>
    public const double JoinGrowth = 2.5;

    /// <summary>Growth of a user's own rating activity over the whole span.</summary>
    public const double ActivityGrowth = 2.0;

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

        // Inverse CDF of the truncated exponential growth on [0, length).
        double offset = Math.Log(1 + (u * (Math.Exp(rate * length) - 1))) / rate;
        int day = from + (int)offset;
        return (short)Math.Min(day, End);
    }

    /// <summary>Years between two day numbers, for the drift term.</summary>
    public static double Years(double fromDay, double toDay) => (toDay - fromDay) / 365.25;
}
