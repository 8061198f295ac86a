namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// The distinct days on which each user rated in training, ascending per user (CSR: user u's days are
/// <c>Days[Offsets[u]..Offsets[u + 1]]</c>): the slots of the per-user-day bias b_{u,t}. A day a user never rated on in
/// training has no slot, so its b_{u,t} is zero and only the drift terms speak for it.
/// </summary>
public sealed class UserDays
{
    private UserDays(long[] offsets, short[] days)
    {
        Offsets = offsets;
        Days = days;
    }

    public long[] Offsets { get; }

    public short[] Days { get; }

    public int Users => Offsets.Length - 1;

    public int Count => Days.Length;

    /// <summary>The distinct (user, day) pairs of the given ratings.</summary>
    public static UserDays Of(ReadOnlySpan<int> users, ReadOnlySpan<short> days, int userCount)
    {
        var perUser = new List<short>[userCount];
        for (int i = 0; i < users.Length; i++)
        {
            (perUser[users[i]] ??= []).Add(days[i]);
        }

        var offsets = new long[userCount + 1];
        var all = new List<short>(users.Length / 4);
        for (int u = 0; u < userCount; u++)
        {
            if (perUser[u] is { } list)
            {
                list.Sort();
                for (int i = 0; i < list.Count; i++)
                {
                    if (i == 0 || list[i] != list[i - 1])
                    {
                        all.Add(list[i]);
                    }
                }
            }

            offsets[u + 1] = all.Count;
        }

        return new UserDays(offsets, [.. all]);
    }

    /// <summary>Rebuilds the index from each user's count of days and the concatenated days (how it is saved).</summary>
    public static UserDays FromCounts(ReadOnlySpan<float> counts, ReadOnlySpan<float> days, string source)
    {
        var offsets = new long[counts.Length + 1];
        for (int u = 0; u < counts.Length; u++)
        {
            if (counts[u] < 0 || counts[u] != MathF.Floor(counts[u]))
            {
                throw new InvalidDataException($"{source}: user_day_count[{u}] = {counts[u]} is not a count");
            }

            offsets[u + 1] = offsets[u] + (long)counts[u];
        }

        if (offsets[^1] != days.Length)
        {
            throw new InvalidDataException($"{source}: user_day_count sums to {offsets[^1]} but user_days holds {days.Length} days");
        }

        var values = new short[days.Length];
        for (int i = 0; i < days.Length; i++)
        {
            values[i] = (short)days[i];
        }

        return new UserDays(offsets, values);
    }

    /// <summary>The slot of (user, day), or −1 when the user did not rate on that day in training.</summary>
    public long SlotOf(int user, short day)
    {
        long start = Offsets[user];
        int index = Array.BinarySearch(Days, (int)start, (int)(Offsets[user + 1] - start), day);
        return index >= 0 ? index : -1;
    }

    /// <summary>The user's latest training day, or null when the user has none.</summary>
    public short? LastDay(int user) => Offsets[user + 1] > Offsets[user] ? Days[Offsets[user + 1] - 1] : null;

    public float[] CountsAsFloats()
    {
        var counts = new float[Users];
        for (int u = 0; u < Users; u++)
        {
            counts[u] = Offsets[u + 1] - Offsets[u];
        }

        return counts;
    }
}
