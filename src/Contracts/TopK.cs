using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
namespace NetflixRec.Contracts;

/// <summary>
/// Partial selection of the highest scores of a row without sorting it. Order: higher score first; equal scores go to
/// the lower index first, so every ranking is deterministic. A score of −∞ or NaN is never selected (that is how
/// ranking excludes the movies a user already rated), so fewer than k indices come back when the row has fewer
/// candidates. One rule for evaluation's rankings and the server's recommendations, which both use it, and one way to
/// leave movies out (<see cref="Exclude"/>).
/// </summary>
public static class TopK
{
    /// <summary>Leaves <paramref name="movies"/> out of every later selection on <paramref name="scores"/> (marked NaN,
    /// which no selection takes, so the scan needs no lookup per candidate). The caller's row is overwritten.</summary>
    public static void Exclude(Span<float> scores, ReadOnlySpan<short> movies)
    {
        foreach (short movie in movies)
        {
            scores[movie] = float.NaN;
        }
    }

    /// <summary><see cref="Exclude"/>s <paramref name="exclude"/> from <paramref name="scores"/>, then selects the best
    /// into <paramref name="result"/> as <see cref="Select(ReadOnlySpan{float}, Span{int})"/> does: a recommendation.</summary>
    public static int SelectExcluding(Span<float> scores, ReadOnlySpan<short> exclude, Span<int> result)
    {
        Exclude(scores, exclude);
        return Select(scores, result);
    }

    /// <summary>The indices of the (at most) <paramref name="k"/> best entries of <paramref name="scores"/>, best first.</summary>
    public static int[] Select(ReadOnlySpan<float> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var indices = new int[k];
        var values = new float[k];
        int count = SelectInto(scores, indices, values);
        return indices.AsSpan(0, count).ToArray();
    }

    /// <summary>
    /// Writes the indices of the (at most <c>result.Length</c>) best entries into <paramref name="result"/>, best first,
    /// and returns how many were written: the allocation-free form a server calls per request.
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, Span<int> result)
    {
        // The scores of the kept entries: on the stack for any k a request asks for.
        const int StackLimit = 1024;
        Span<float> values = result.Length <= StackLimit ? stackalloc float[result.Length] : new float[result.Length];
        return SelectInto(scores, result, values);
    }

    /// <summary>
    /// Fills <paramref name="indices"/> (and the scores in <paramref name="values"/>) best first; returns how many were
    /// found. The list is kept sorted while scanning; a block of 32 scores is tested against the current k-th best with
    /// four vector compares and skipped when none beats it, which after the first few hundred entries is almost always,
    /// so insertions (O(k) each, about k·ln(n/k) of them on a shuffled row) stay rare.
    /// </summary>
    public static int SelectInto(ReadOnlySpan<float> scores, Span<int> indices, Span<float> values) =>
        SelectInto(scores, indices, values, vectorized: Vector256.IsHardwareAccelerated);

    /// <summary>
    /// <see cref="SelectInto(ReadOnlySpan{float}, Span{int}, Span{float})"/> on a chosen path (tests run both): the
    /// Vector256 block test (every AVX-512 machine accelerates it too) or the plain loop.
    /// </summary>
    internal static int SelectInto(ReadOnlySpan<float> scores, Span<int> indices, Span<float> values, bool vectorized)
    {
        int k = Math.Min(indices.Length, values.Length);
        if (k == 0)
        {
            return 0;
        }

        indices = indices[..k];
        values = values[..k];
        int count = 0;

        // While the list is not full anything above −∞ enters; afterwards only what strictly beats the k-th best
        // (an equal score has a higher index than everything already listed, so it loses the tie).
        float threshold = float.NegativeInfinity;
        ref float start = ref MemoryMarshal.GetReference(scores);
        int i = 0;
        if (vectorized)
        {
            // Four vectors per test: one branch per 32 scores on the common path.
            const int Block = 4 * 8;
            for (; i <= scores.Length - Block; i += Block)
            {
                Vector256<float> bar = Vector256.Create(threshold);
                uint above = Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)i), bar).ExtractMostSignificantBits()
                    | (Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)(i + 8)), bar).ExtractMostSignificantBits() << 8)
                    | (Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)(i + 16)), bar).ExtractMostSignificantBits() << 16)
                    | (Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)(i + 24)), bar).ExtractMostSignificantBits() << 24);

                // Visit only the lanes that beat the bar when the block was tested; the bar may rise on the way.
                while (above != 0)
                {
                    int j = i + BitOperations.TrailingZeroCount(above);
                    above &= above - 1;
                    float s = Unsafe.Add(ref start, j);
                    if (s > threshold)
                    {
                        count = Insert(indices, values, count, j, s);
                        threshold = count == k ? values[k - 1] : float.NegativeInfinity;
                    }
                }
            }
        }

        for (; i < scores.Length; i++)
        {
            float s = scores[i];
            if (s > threshold)
            {
                count = Insert(indices, values, count, i, s);
                threshold = count == k ? values[k - 1] : float.NegativeInfinity;
            }
        }

        return count;
    }

    // Inserts (index, score) into the sorted prefix of length count, dropping the last entry when full. Every listed
    // index is lower than the new one, so the new entry goes after all equal scores.
    private static int Insert(Span<int> indices, Span<float> values, int count, int index, float score)
    {
        int k = indices.Length;
        int at = count;
        while (at > 0 && values[at - 1] < score)
        {
            at--;
        }

        int last = Math.Min(count, k - 1);
        for (int p = last; p > at; p--)
        {
            indices[p] = indices[p - 1];
            values[p] = values[p - 1];
        }

        indices[at] = index;
        values[at] = score;
        return Math.Min(count + 1, k);
    }
}
