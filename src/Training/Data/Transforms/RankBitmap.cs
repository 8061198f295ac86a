using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// A dense rank structure over a set of non-negative IDs: one bit per possible ID plus a running count per 64-bit word,
/// so the index of an ID is a table read and a popcount. For the Prize's 2.65 million possible CustomerIDs it takes
/// under 0.5 MB and stays in cache, which a hash map or a 10 MB int[] would not.
/// </summary>
internal sealed class RankBitmap
{
    private readonly ulong[] _bits;
    private readonly int[] _rankBefore;

    private RankBitmap(ulong[] bits)
    {
        _bits = bits;
        _rankBefore = new int[bits.Length];
        int running = 0;
        for (int w = 0; w < bits.Length; w++)
        {
            _rankBefore[w] = running;
            running += BitOperations.PopCount(bits[w]);
        }

        Count = running;
    }

    public int Count { get; }

    /// <summary>Marks every ID in the blocks; IDs must be in 0..maxId.</summary>
    public static RankBitmap Build(int maxId, IReadOnlyList<ReadOnlyMemory<int>> idBlocks, int parallelism)
    {
        int words = (maxId >> 6) + 1;
        var bits = new ulong[words];
        Parallel.For(0, idBlocks.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, b =>
        {
            foreach (int id in idBlocks[b].Span)
            {
                ulong mask = 1UL << (id & 63);
                ref ulong word = ref bits[id >> 6];
                if ((word & mask) == 0)
                {
                    Interlocked.Or(ref word, mask);
                }
            }
        });
        return new RankBitmap(bits);
    }

    /// <summary>The rank of <paramref name="id"/> among the marked IDs, or -1 when it is not marked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(int id)
    {
        int w = id >> 6;
        if ((uint)w >= (uint)_bits.Length)
        {
            return -1;
        }

        ulong word = _bits[w];
        ulong mask = 1UL << (id & 63);
        return (word & mask) == 0 ? -1 : _rankBefore[w] + BitOperations.PopCount(word & (mask - 1));
    }

    /// <summary>The marked IDs in ascending order.</summary>
    public int[] ToIds()
    {
        var ids = new int[Count];
        int next = 0;
        for (int w = 0; w < _bits.Length; w++)
        {
            ulong word = _bits[w];
            while (word != 0)
            {
                ids[next++] = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }

        return ids;
    }
}
