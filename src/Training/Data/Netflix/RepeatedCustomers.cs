namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Finds a customer listed twice in one movie block. A bitmap over CustomerIDs (the Prize's stay below 2.65 M: 331 KB)
/// is set while scanning the block and cleared afterwards, so a block costs two passes over its customers and no
/// allocation. IDs beyond <see cref="BitmapLimit"/> (not Prize data) fall back to a hash set for that block.
/// One instance per parsing thread.
/// </summary>
internal sealed class RepeatedCustomers
{
    // 2^26 bits = 8 MB: the most a thread's bitmap may grow to.
    private const int BitmapLimit = 1 << 26;

    private ulong[] _bits = new ulong[(2_649_430 + 63) / 64];

    /// <summary>The block indices (first, second) of the first customer that appears again, or null when all differ.</summary>
    public (int First, int Second)? Find(ReadOnlySpan<int> customers)
    {
        int scanned = 0;
        (int, int)? repeat = null;
        for (; scanned < customers.Length; scanned++)
        {
            int customer = customers[scanned];
            if ((uint)customer >= BitmapLimit)
            {
                break;
            }

            int word = customer >> 6;
            if (word >= _bits.Length)
            {
                Array.Resize(ref _bits, Math.Min(Math.Max(_bits.Length * 2, word + 1), BitmapLimit / 64));
            }

            ulong bit = 1UL << customer;
            if ((_bits[word] & bit) != 0)
            {
                repeat = (customers[..scanned].IndexOf(customer), scanned);
                break;
            }

            _bits[word] |= bit;
        }

        // Clear exactly what was set, so the next block starts from an empty bitmap.
        foreach (int customer in customers[..scanned])
        {
            _bits[customer >> 6] = 0;
        }

        if (repeat is not null || scanned == customers.Length)
        {
            return repeat;
        }

        return FindWithHashSet(customers);
    }

    private static (int First, int Second)? FindWithHashSet(ReadOnlySpan<int> customers)
    {
        var seen = new Dictionary<int, int>(customers.Length);
        for (int i = 0; i < customers.Length; i++)
        {
            if (!seen.TryAdd(customers[i], i))
            {
                return (seen[customers[i]], i);
            }
        }

        return null;
    }
}
