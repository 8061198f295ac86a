using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Export;

/// <summary>
/// The per-user-day biases as an open-addressing hash table an ONNX graph can read without loops: key user·65536 + day,
/// home slot key mod <c>Keys.Length</c> (a prime at least twice the entries), linear probing; <see cref="Probes"/> is the
/// longest probe sequence any key needed, so reading that many slots from home always finds a present key. Empty
/// slots hold key −2, which no (user ≥ 0, day ≥ −1) pair produces.
/// </summary>
internal sealed record UserDayTable(long[] Keys, float[] Values, int Probes)
{
    public const long KeyStride = 65536;
    public const long EmptyKey = -2;

    public static long KeyOf(int user, short day) => (user * KeyStride) + day;

    public static UserDayTable Build(UserDays userDays, ReadOnlySpan<float> biases)
    {
        ArgumentNullException.ThrowIfNull(userDays);
        long size = NextPrime(Math.Max(3, 2L * userDays.Count + 1));
        var keys = new long[size];
        var values = new float[size];
        Array.Fill(keys, EmptyKey);
        int probes = 1;
        ReadOnlySpan<long> offsets = userDays.Offsets.Span;
        ReadOnlySpan<short> days = userDays.Days.Span;
        for (int u = 0; u < userDays.Users; u++)
        {
            for (long s = offsets[u]; s < offsets[u + 1]; s++)
            {
                long key = KeyOf(u, days[(int)s]);
                long slot = Home(key, size);
                int used = 1;
                while (keys[slot] != EmptyKey)
                {
                    slot = (slot + 1) % size;
                    used++;
                }

                keys[slot] = key;
                values[slot] = biases[(int)s];
                probes = Math.Max(probes, used);
            }
        }

        return new UserDayTable(keys, values, probes);
    }

    /// <summary>
    /// Another per-user-day array (one value per <paramref name="userDays"/> slot) laid out in this table's slots, so one
    /// lookup's slots read both; empty slots hold 0.
    /// </summary>
    public float[] Place(UserDays userDays, ReadOnlySpan<float> perSlot) => Place(userDays, perSlot, 1);

    /// <summary>As <see cref="Place(UserDays, ReadOnlySpan{float})"/> for <paramref name="width"/> values per slot (rows of a matrix).</summary>
    public float[] Place(UserDays userDays, ReadOnlySpan<float> perSlot, int width)
    {
        ArgumentNullException.ThrowIfNull(userDays);
        var placed = new float[Keys.Length * (long)width];
        ReadOnlySpan<long> offsets = userDays.Offsets.Span;
        ReadOnlySpan<short> days = userDays.Days.Span;
        for (int u = 0; u < userDays.Users; u++)
        {
            for (long s = offsets[u]; s < offsets[u + 1]; s++)
            {
                long key = KeyOf(u, days[(int)s]);
                long slot = Home(key, Keys.Length);
                while (Keys[slot] != key)
                {
                    slot = (slot + 1) % Keys.Length;
                }

                perSlot.Slice((int)s * width, width).CopyTo(placed.AsSpan((int)slot * width, width));
            }
        }

        return placed;
    }

    /// <summary>key mod size, non-negative (ONNX Mod with fmod = 0 follows the divisor's sign, as here).</summary>
    public static long Home(long key, long size) => ((key % size) + size) % size;

    private static long NextPrime(long n)
    {
        for (long candidate = n | 1; ; candidate += 2)
        {
            bool prime = true;
            for (long d = 3; d * d <= candidate; d += 2)
            {
                if (candidate % d == 0)
                {
                    prime = false;
                    break;
                }
            }

            if (prime)
            {
                return candidate;
            }
        }
    }
}
