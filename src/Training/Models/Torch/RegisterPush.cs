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

    private static int Strips512(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        const int Strip = 4 * 16;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int s = 0;
        for (; s + Strip <= columns; s += Strip)
        {
            Vector512<float> x0 = Vector512.LoadUnsafe(ref xs, (nuint)s), x1 = Vector512.LoadUnsafe(ref xs, (nuint)(s + 16));
            Vector512<float> x2 = Vector512.LoadUnsafe(ref xs, (nuint)(s + 32)), x3 = Vector512.LoadUnsafe(ref xs, (nuint)(s + 48));
            for (int e = 0; e < entries.Length; e++)
            {
                if (s == 0 && e + SparseKernel.PrefetchDistance < entries.Length)
                {
                    ScaledRowAdd.Prefetch(y, (entries[e + SparseKernel.PrefetchDistance] - shift) * columns, columns);
                }

                ref float row = ref Unsafe.Add(ref ys, ((nint)(entries[e] - shift) * columns) + s);
                Vector512<float> scale = Vector512.Create(values[e]);
                ((x0 * scale) + Vector512.LoadUnsafe(ref row)).StoreUnsafe(ref row);
                ((x1 * scale) + Vector512.LoadUnsafe(ref row, 16)).StoreUnsafe(ref row, 16);
                ((x2 * scale) + Vector512.LoadUnsafe(ref row, 32)).StoreUnsafe(ref row, 32);
                ((x3 * scale) + Vector512.LoadUnsafe(ref row, 48)).StoreUnsafe(ref row, 48);
            }
        }

        return s;
    }

    private static int Strips256(ReadOnlySpan<float> x, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> y, int shift, int columns)
    {
        const int Strip = 4 * 8;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int s = 0;
        for (; s + Strip <= columns; s += Strip)
        {
            Vector256<float> x0 = Vector256.LoadUnsafe(ref xs, (nuint)s), x1 = Vector256.LoadUnsafe(ref xs, (nuint)(s + 8));
            Vector256<float> x2 = Vector256.LoadUnsafe(ref xs, (nuint)(s + 16)), x3 = Vector256.LoadUnsafe(ref xs, (nuint)(s + 24));
            for (int e = 0; e < entries.Length; e++)
            {
                if (s == 0 && e + SparseKernel.PrefetchDistance < entries.Length)
                {
                    ScaledRowAdd.Prefetch(y, (entries[e + SparseKernel.PrefetchDistance] - shift) * columns, columns);
                }

                ref float row = ref Unsafe.Add(ref ys, ((nint)(entries[e] - shift) * columns) + s);
                Vector256<float> scale = Vector256.Create(values[e]);
                ((x0 * scale) + Vector256.LoadUnsafe(ref row)).StoreUnsafe(ref row);
                ((x1 * scale) + Vector256.LoadUnsafe(ref row, 8)).StoreUnsafe(ref row, 8);
                ((x2 * scale) + Vector256.LoadUnsafe(ref row, 16)).StoreUnsafe(ref row, 16);
                ((x3 * scale) + Vector256.LoadUnsafe(ref row, 24)).StoreUnsafe(ref row, 24);
            }
        }

        return s;
    }
}
