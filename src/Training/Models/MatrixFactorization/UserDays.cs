namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// The distinct days on which each user rated in training, ascending per user (CSR: user u's days are
/// <c>Days[Offsets[u]..Offsets[u + 1]]</c>): the slots of the per-user-day bias b_{u,t}. A day a user never rated on in
/// training has no slot, so its b_{u,t} is zero and only the drift terms speak for it.
/// </summary>
public sealed class UserDays
{
    private readonly long[] _offsets;
    private readonly short[] _days;

    private UserDays(long[] offsets, short[] days)
    {
        _offsets = offsets;
        _days = days;
    }

    /// <summary>User u's days are <c>Days[Offsets[u]..Offsets[u + 1]]</c>; Users + 1 entries.</summary>
    public ReadOnlyMemory<long> Offsets => _offsets;

    public ReadOnlyMemory<short> Days => _days;

    public int Users => _offsets.Length - 1;

    public int Count => _days.Length;

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
        long start = _offsets[user];
        int index = Array.BinarySearch(_days, (int)start, (int)(_offsets[user + 1] - start), day);
        return index >= 0 ? index : -1;
    }

    /// <summary>The user's latest training day, or null when the user has none.</summary>
    public short? LastDay(int user) => _offsets[user + 1] > _offsets[user] ? _days[_offsets[user + 1] - 1] : null;

    /// <summary>Each user's number of days, as saved (float32 tensors hold counts exactly up to 2^24).</summary>
    public float[] CountsAsFloats()
    {
        var counts = new float[Users];
        for (int u = 0; u < Users; u++)
        {
            counts[u] = _offsets[u + 1] - _offsets[u];
        }

        return counts;
    }
}
