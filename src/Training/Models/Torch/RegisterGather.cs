using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// One output row of a gathering sparse product, y ← y + Σ_e a_e·x[c_e] over a row's entries, with the row held in four
/// vector registers across the entries instead of loaded and stored once per entry (<see cref="ScaledRowAdd"/>): the
/// store-to-load chain through memory, not the arithmetic, bounded the users' gathers of LightGCN and GC-MC. Each element
/// takes the same multiply then add, in entry order, so the floats are <see cref="ScaledRowAdd"/>'s. Covers the row in
/// strips of four vectors (64 floats at 512 bits, 32 at 256); returns how many leading columns it covered, the caller
/// finishes the rest.
/// </summary>
internal static class RegisterGather
{
    /// <summary>Accumulates the whole strips of <paramref name="y"/> (one row of <paramref name="columns"/> floats).</summary>
    /// <param name="x">The input table, <paramref name="columns"/> floats per row.</param>
    /// <param name="entries">The row's entries' columns (input rows) and values.</param>
    /// <param name="shift">Subtracted from every entry's column to give its input row (GC-MC's level-stacked columns).</param>
    public static int Accumulate(SimdWidth width, ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int columns, int shift = 0)
    {
        int inputRows = x.Length / Math.Max(1, columns);
        if (!entries.IsEmpty && ((long)TensorPrimitives.Min(entries) - shift < 0 || (long)TensorPrimitives.Max(entries) - shift >= inputRows))
        {
            throw new ArgumentOutOfRangeException(nameof(entries), $"columns {TensorPrimitives.Min(entries)}..{TensorPrimitives.Max(entries)} outside input rows {shift}..{shift + inputRows - 1}");
        }

        return AccumulateInRange(width, x, entries, values, y, columns, shift);
    }

    /// <summary>
    /// <see cref="Accumulate"/> for a caller that has already checked every entry's input row against <paramref name="x"/>
    /// (<see cref="SparseKernel"/>: its matrix's columns when it was built, its input's length in every product; GC-MC's level
    /// runs: a few entries each, all inside one level by construction).
    /// </summary>
    internal static int AccumulateInRange(SimdWidth width, ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int columns, int shift)
    {
        if (y.Length != columns)
        {
            throw new ArgumentException($"gather: the output row has {y.Length} values, the input rows {columns}", nameof(y));
        }

        return width switch
        {
            SimdWidth.Vector512 => Strips512(x, entries, values, y, columns, shift),
            SimdWidth.Vector256 => Strips256(x, entries, values, y, columns, shift),
            _ => 0,
        };
    }

    private static unsafe int Strips512(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int columns, int shift)
    {
        const int Strip = 4 * 16;
        int n = entries.Length, ahead = Math.Max(0, n - SparseKernel.PrefetchDistance), s = 0;
        fixed (float* xs = x, ys = y, vs = values)
        fixed (int* es = entries)
        {
            for (; s + Strip <= columns; s += Strip)
            {
                Vector512<float> a0 = Vector512.Load(ys + s), a1 = Vector512.Load(ys + s + 16);
                Vector512<float> a2 = Vector512.Load(ys + s + 32), a3 = Vector512.Load(ys + s + 48);
                // This strip of input row c − shift starts at origin + c·columns (entries are in range: checked by the caller).
                float* origin = xs + s - ((nint)shift * columns);
                int e = 0;
                for (; e < ahead; e++)
                {
                    ScaledRowAdd.PrefetchStrip(origin + ((nint)es[e + SparseKernel.PrefetchDistance] * columns), Strip);
                    Add512(origin + ((nint)es[e] * columns), Vector512.Create(vs[e]), ref a0, ref a1, ref a2, ref a3);
                }

                for (; e < n; e++)
                {
                    Add512(origin + ((nint)es[e] * columns), Vector512.Create(vs[e]), ref a0, ref a1, ref a2, ref a3);
                }

                a0.Store(ys + s);
                a1.Store(ys + s + 16);
                a2.Store(ys + s + 32);
                a3.Store(ys + s + 48);
            }
        }

        return s;
    }

    private static unsafe int Strips256(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int columns, int shift)
    {
        const int Strip = 4 * 8;
        int n = entries.Length, ahead = Math.Max(0, n - SparseKernel.PrefetchDistance), s = 0;
        fixed (float* xs = x, ys = y, vs = values)
        fixed (int* es = entries)
        {
            for (; s + Strip <= columns; s += Strip)
            {
                Vector256<float> a0 = Vector256.Load(ys + s), a1 = Vector256.Load(ys + s + 8);
                Vector256<float> a2 = Vector256.Load(ys + s + 16), a3 = Vector256.Load(ys + s + 24);
                float* origin = xs + s - ((nint)shift * columns);
                int e = 0;
                for (; e < ahead; e++)
                {
                    ScaledRowAdd.PrefetchStrip(origin + ((nint)es[e + SparseKernel.PrefetchDistance] * columns), Strip);
                    Add256(origin + ((nint)es[e] * columns), Vector256.Create(vs[e]), ref a0, ref a1, ref a2, ref a3);
                }

                for (; e < n; e++)
                {
                    Add256(origin + ((nint)es[e] * columns), Vector256.Create(vs[e]), ref a0, ref a1, ref a2, ref a3);
                }

                a0.Store(ys + s);
                a1.Store(ys + s + 8);
                a2.Store(ys + s + 16);
                a3.Store(ys + s + 24);
            }
        }

        return s;
    }

    // The strip's four accumulators ← row·scale + themselves: a multiply then an add per element, as ScaledRowAdd.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add512(float* row, Vector512<float> scale, ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3)
    {
        a0 = (Vector512.Load(row) * scale) + a0;
        a1 = (Vector512.Load(row + 16) * scale) + a1;
        a2 = (Vector512.Load(row + 32) * scale) + a2;
        a3 = (Vector512.Load(row + 48) * scale) + a3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add256(float* row, Vector256<float> scale, ref Vector256<float> a0, ref Vector256<float> a1, ref Vector256<float> a2, ref Vector256<float> a3)
    {
        a0 = (Vector256.Load(row) * scale) + a0;
        a1 = (Vector256.Load(row + 8) * scale) + a1;
        a2 = (Vector256.Load(row + 16) * scale) + a2;
        a3 = (Vector256.Load(row + 24) * scale) + a3;
    }
}
