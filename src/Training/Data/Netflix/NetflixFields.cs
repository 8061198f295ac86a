using System.Runtime.CompilerServices;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Byte-level parsers for the fields of the Netflix Prize files. Each returns a problem description instead of
/// throwing, so the hot loop stays branch-light and the caller attaches the file and line.
/// </summary>
internal static class NetflixFields
{
    public const int MaxMovieId = 999_999;

    private const int FirstYear = 1970;
    private static readonly int[] s_monthStartDay = BuildMonthStartTable();

    /// <summary>A <c>MovieID:</c> header line; false when the line is not a header at all.</summary>
    public static bool IsHeader(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)':';

    public static string? ParseHeader(ReadOnlySpan<byte> line, out int movieId)
    {
        string? problem = ParsePositive(line[..^1], MaxMovieId, "MovieID", out movieId);
        return problem is null ? null : $"bad movie header '{Show(line)}': {problem}";
    }

    /// <summary>Parses <c>CustomerID,Rating,YYYY-MM-DD</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string? ParseRatingLine(ReadOnlySpan<byte> line, out int customer, out byte rating, out short day)
    {
        rating = 0;
        day = 0;

        // Fast path: digits, ',', one digit 1-5, ',', a 10-byte date.
        int comma = ScanDigits(line, out customer);
        if (comma > 0 && comma < 11 && line.Length == comma + 13 && line[comma] == (byte)',' && line[comma + 2] == (byte)','
            && customer > 0)
        {
            uint star = (uint)(line[comma + 1] - '0');
            if (star - 1 <= 4 && TryParseDate(line[(comma + 3)..], out day))
            {
                rating = (byte)star;
                return null;
            }
        }

        return DescribeRatingLine(line);
    }

    /// <summary>Parses a probe line: <c>CustomerID</c>.</summary>
    public static string? ParseCustomerLine(ReadOnlySpan<byte> line, out int customer) =>
        ParsePositive(line, int.MaxValue, "CustomerID", out customer);

    /// <summary>Parses a qualifying line: <c>CustomerID,YYYY-MM-DD</c>.</summary>
    public static string? ParseCustomerDateLine(ReadOnlySpan<byte> line, out int customer, out short day)
    {
        day = 0;
        int comma = line.IndexOf((byte)',');
        if (comma < 0)
        {
            customer = 0;
            return $"expected 'CustomerID,YYYY-MM-DD' but found '{Show(line)}'";
        }

        string? problem = ParsePositive(line[..comma], int.MaxValue, "CustomerID", out customer);
        return problem ?? DescribeDate(line[(comma + 1)..], out day);
    }

    /// <summary>Parses an oracle line: <c>CustomerID,ExpectedRating</c>.</summary>
    public static string? ParseCustomerValueLine(ReadOnlySpan<byte> line, out int customer, out float value)
    {
        value = 0;
        int comma = line.IndexOf((byte)',');
        if (comma < 0)
        {
            customer = 0;
            return $"expected 'CustomerID,ExpectedRating' but found '{Show(line)}'";
        }

        string? problem = ParsePositive(line[..comma], int.MaxValue, "CustomerID", out customer);
        if (problem is not null)
        {
            return problem;
        }

        ReadOnlySpan<byte> text = line[(comma + 1)..];
        if (!float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value)
            || !float.IsFinite(value))
        {
            return $"expected a number after the comma but found '{Show(text)}'";
        }

        return null;
    }

    public static string? ParsePositive(ReadOnlySpan<byte> text, int max, string field, out int value)
    {
        int end = ScanDigits(text, out value);
        if (text.IsEmpty)
        {
            return $"{field} is empty";
        }

        if (end != text.Length || end > 18)
        {
            return $"{field} '{Show(text)}' is not a positive integer";
        }

        long wide = 0;
        foreach (byte b in text)
        {
            wide = (wide * 10) + (b - '0');
        }

        if (wide < 1 || wide > max)
        {
            value = 0;
            return $"{field} {wide} is outside 1–{max}";
        }

        value = (int)wide;
        return null;
    }

    /// <summary>Exact <c>YYYY-MM-DD</c> (the only date form in the Prize files) to a <see cref="DayNumber"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseDate(ReadOnlySpan<byte> text, out short day)
    {
        day = 0;
        if (text.Length != 10 || text[4] != (byte)'-' || text[7] != (byte)'-')
        {
            return false;
        }

        uint y0 = (uint)(text[0] - '0'), y1 = (uint)(text[1] - '0'), y2 = (uint)(text[2] - '0'), y3 = (uint)(text[3] - '0');
        uint m0 = (uint)(text[5] - '0'), m1 = (uint)(text[6] - '0'), d0 = (uint)(text[8] - '0'), d1 = (uint)(text[9] - '0');
        if (Math.Max(Math.Max(Math.Max(y0, y1), Math.Max(y2, y3)), Math.Max(Math.Max(m0, m1), Math.Max(d0, d1))) > 9)
        {
            return false;
        }

        int year = (int)((y0 * 1000) + (y1 * 100) + (y2 * 10) + y3);
        int month = (int)((m0 * 10) + m1);
        int dayOfMonth = (int)((d0 * 10) + d1);
        int yearIndex = year - FirstYear;
        if ((uint)yearIndex >= (uint)(s_monthStartDay.Length / 13) || (uint)(month - 1) >= 12 || dayOfMonth < 1)
        {
            return false;
        }

        int first = s_monthStartDay[(yearIndex * 13) + month - 1];
        int next = s_monthStartDay[(yearIndex * 13) + month];
        int number = first + dayOfMonth - 1;
        if (number >= next || number > short.MaxValue)
        {
            return false;
        }

        day = (short)number;
        return true;
    }

    /// <summary>A short, printable excerpt of a line for error messages.</summary>
    public static string Show(ReadOnlySpan<byte> text)
    {
        const int Max = 60;
        string shown = System.Text.Encoding.Latin1.GetString(text.Length > Max ? text[..Max] : text);
        return text.Length > Max ? shown + "…" : shown;
    }

    private static string DescribeRatingLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return "empty line where 'CustomerID,Rating,YYYY-MM-DD' was expected";
        }

        int first = line.IndexOf((byte)',');
        int second = first < 0 ? -1 : line[(first + 1)..].IndexOf((byte)',');
        if (first < 0 || second < 0)
        {
            return $"expected 'CustomerID,Rating,YYYY-MM-DD' but found '{Show(line)}' (truncated line?)";
        }

        second += first + 1;
        string? problem = ParsePositive(line[..first], int.MaxValue, "CustomerID", out _);
        if (problem is not null)
        {
            return problem;
        }

        ReadOnlySpan<byte> rating = line[(first + 1)..second];
        if (rating.Length != 1 || rating[0] < '1' || rating[0] > '5')
        {
            return $"rating '{Show(rating)}' is outside 1–5";
        }

        return DescribeDate(line[(second + 1)..], out _) ?? $"malformed line '{Show(line)}'";
    }

    private static string? DescribeDate(ReadOnlySpan<byte> text, out short day)
    {
        if (TryParseDate(text, out day))
        {
            return null;
        }

        if (text.Length != 10 || text[4] != (byte)'-' || text[7] != (byte)'-' || !IsDigits(text[..4]) || !IsDigits(text[5..7]) || !IsDigits(text[8..]))
        {
            return $"date '{Show(text)}' is not YYYY-MM-DD";
        }

        return $"date '{Show(text)}' does not exist or is outside {DayNumber.MinDate:yyyy-MM-dd}–{DayNumber.MaxDate:yyyy-MM-dd}";
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads leading decimal digits (at most 10, saturating) and returns how many there were.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanDigits(ReadOnlySpan<byte> text, out int value)
    {
        long acc = 0;
        int i = 0;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                break;
            }

            if (i < 11)
            {
                acc = (acc * 10) + digit;
            }
        }

        value = acc <= int.MaxValue ? (int)acc : 0;
        return i;
    }

    /// <summary>Day number of the first of each month, 13 entries a year (the 13th is next January), 1970–2059.</summary>
    private static int[] BuildMonthStartTable()
    {
        int years = DayNumber.MaxDate.Year - FirstYear + 1;
        var table = new int[years * 13];
        int epoch = DayNumber.Epoch.DayNumber;
        for (int y = 0; y < years; y++)
        {
            for (int m = 0; m < 12; m++)
            {
                table[(y * 13) + m] = new DateOnly(FirstYear + y, m + 1, 1).DayNumber - epoch;
            }

            table[(y * 13) + 12] = new DateOnly(FirstYear + y + 1, 1, 1).DayNumber - epoch;
        }

        return table;
    }
}
