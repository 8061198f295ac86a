namespace NetflixRec.Training.Data;

/// <summary>
/// Dates are stored as a day number: days since 1970-01-01 in an <see cref="short"/>, which covers 1970 to 2059 —
/// the Prize's 1999–2005 with room on both sides — in two bytes per rating.
/// </summary>
public static class DayNumber
{
    public static readonly DateOnly Epoch = new(1970, 1, 1);
    public static readonly DateOnly MinDate = Epoch;
    public static readonly DateOnly MaxDate = Epoch.AddDays(short.MaxValue);

    private static readonly int s_epochDayNumber = Epoch.DayNumber;

    public static short FromDate(DateOnly date)
    {
        if (date < MinDate || date > MaxDate)
        {
            throw new ArgumentOutOfRangeException(nameof(date), date, $"dates must lie between {MinDate:yyyy-MM-dd} and {MaxDate:yyyy-MM-dd}");
        }

        return (short)(date.DayNumber - s_epochDayNumber);
    }

    public static DateOnly ToDate(short day) => DateOnly.FromDayNumber(s_epochDayNumber + day);

    /// <summary>The day number of a valid calendar date given as parts; false when the date does not exist or is out of range.</summary>
    internal static bool TryFromParts(int year, int month, int day, out short dayNumber)
    {
        dayNumber = 0;
        if (year < MinDate.Year || year > MaxDate.Year || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        var date = new DateOnly(year, month, day);
        if (date > MaxDate)
        {
            return false;
        }

        dayNumber = (short)(date.DayNumber - s_epochDayNumber);
        return true;
    }
}
