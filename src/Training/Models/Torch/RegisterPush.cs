using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// One input row pushed into the output rows of its entries, y[c_e − shift] ← y[c_e − shift] + a_e·x, with x held in
/// four vector registers across the entries instead of loaded again for each (<see cref="ScaledRowAdd"/>): the inner loop of
/// <see cref="PushKernel"/>. Each element takes the same multiply then add, in entry order, so the floats are
/// <see cref="ScaledRowAdd"/>'s. Covers the row in strips of four vectors (64 floats at 512 bits, 32 at 256); returns how
/// many leading columns it covered, the caller finishes the rest.
/// </summary>
internal static class RegisterPush
{
    /// <param name="x">The input row (<paramref name="columns"/> floats).</param>
    /// <param name="entries">Output rows plus <paramref name="shift"/>, one per entry, with their values.</param>
    /// <param name="y">The output table, <paramref name="columns"/> floats per row.</param>
    public static int Scatter(SimdWidth width, ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        int outputRows = y.Length / Math.Max(1, columns);
        if (x.Length != columns)
        {
            throw new ArgumentException($"push: the input row has {x.Length} values, the output rows {columns}", nameof(x));
        }

        if (!entries.IsEmpty && ((long)TensorPrimitives.Min(entries) - shift < 0 || (long)TensorPrimitives.Max(entries) - shift >= outputRows))
        {
            throw new ArgumentOutOfRangeException(nameof(entries), $"columns {TensorPrimitives.Min(entries)}..{TensorPrimitives.Max(entries)} outside output rows {shift}..{shift + outputRows - 1}");
        }

        return ScatterInRange(width, x, entries, values, y, shift, columns);
    }

    /// <summary>
    /// <see cref="Scatter"/> for a caller that has already checked every entry's output row against
    /// <paramref name="y"/> (<see cref="PushKernel"/>: its rows' columns ascend, so the first and last bound a run; GC-MC's
    /// runs are a few entries long, where a pass over them for their minimum and maximum cost as much as the run).
    /// </summary>
    internal static int ScatterInRange(SimdWidth width, ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        if (x.Length != columns)
        {
            throw new ArgumentException($"push: the input row has {x.Length} values, the output rows {columns}", nameof(x));
        }

        return width switch
        {
            SimdWidth.Vector512 => Strips512(x, entries, values, y, shift, columns),
            SimdWidth.Vector256 => Strips256(x, entries, values, y, shift, columns),
            _ => 0,
        };
    }

    private static unsafe int Strips512(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        const int Strip = 4 * 16;
        int n = entries.Length, ahead = Math.Max(0, n - SparseKernel.PrefetchDistance), s = 0;
        fixed (float* xs = x, ys = y, vs = values)
        fixed (int* es = entries)
        {
            for (; s + Strip <= columns; s += Strip)
            {
                Vector512<float> x0 = Vector512.Load(xs + s), x1 = Vector512.Load(xs + s + 16);
                Vector512<float> x2 = Vector512.Load(xs + s + 32), x3 = Vector512.Load(xs + s + 48);
                // This strip of output row c − shift starts at origin + c·columns (entries are in range: checked by the caller).
                float* origin = ys + s - ((nint)shift * columns);
                int e = 0;
                for (; e < ahead; e++)
                {
                    ScaledRowAdd.PrefetchStrip(origin + ((nint)es[e + SparseKernel.PrefetchDistance] * columns), Strip);
                    Add512(origin + ((nint)es[e] * columns), Vector512.Create(vs[e]), x0, x1, x2, x3);
                }

                for (; e < n; e++)
                {
                    Add512(origin + ((nint)es[e] * columns), Vector512.Create(vs[e]), x0, x1, x2, x3);
                }
            }
        }

        return s;
    }

    private static unsafe int Strips256(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        const int Strip = 4 * 8;
        int n = entries.Length, ahead = Math.Max(0, n - SparseKernel.PrefetchDistance), s = 0;
        fixed (float* xs = x, ys = y, vs = values)
        fixed (int* es = entries)
        {
            for (; s + Strip <= columns; s += Strip)
            {
                Vector256<float> x0 = Vector256.Load(xs + s), x1 = Vector256.Load(xs + s + 8);
                Vector256<float> x2 = Vector256.Load(xs + s + 16), x3 = Vector256.Load(xs + s + 24);
                float* origin = ys + s - ((nint)shift * columns);
                int e = 0;
                for (; e < ahead; e++)
                {
                    ScaledRowAdd.PrefetchStrip(origin + ((nint)es[e + SparseKernel.PrefetchDistance] * columns), Strip);
                    Add256(origin + ((nint)es[e] * columns), Vector256.Create(vs[e]), x0, x1, x2, x3);
                }

                for (; e < n; e++)
                {
                    Add256(origin + ((nint)es[e] * columns), Vector256.Create(vs[e]), x0, x1, x2, x3);
                }
            }
        }

        return s;
    }

    // One output strip ← x·scale + itself: a multiply then an add per element, as ScaledRowAdd.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add512(float* row, Vector512<float> scale, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3)
    {
        ((x0 * scale) + Vector512.Load(row)).Store(row);
        ((x1 * scale) + Vector512.Load(row + 16)).Store(row + 16);
        ((x2 * scale) + Vector512.Load(row + 32)).Store(row + 32);
        ((x3 * scale) + Vector512.Load(row + 48)).Store(row + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Add256(float* row, Vector256<float> scale, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3)
    {
        ((x0 * scale) + Vector256.Load(row)).Store(row);
        ((x1 * scale) + Vector256.Load(row + 8)).Store(row + 8);
        ((x2 * scale) + Vector256.Load(row + 16)).Store(row + 16);
        ((x3 * scale) + Vector256.Load(row + 24)).Store(row + 24);
    }
}
