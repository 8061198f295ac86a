using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// y ← x·a + y over one row: the inner operation of every sparse product (one per non-zero). The rows are short (32–128
/// floats), so the general-purpose <c>TensorPrimitives.MultiplyAdd</c>'s per-call checks and tail handling were a large
/// part of each product; this is the same arithmetic (a multiply then an add, not fused, so the floats are the same as
/// before) inlined at the width the hardware accelerates.
/// </summary>
internal static class ScaledRowAdd
{
    /// <summary>y ← x·a + y at the widest accelerated width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(ReadOnlySpan<float> x, float a, Span<float> y) => Apply(SimdWidths.Best, x, a, y);

    /// <summary>y ← x·a + y at <paramref name="width"/> (every width, for tests); x and y have the same length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(SimdWidth width, ReadOnlySpan<float> x, float a, Span<float> y)
    {
        if (x.Length != y.Length)
        {
            Throw(x.Length, y.Length);
        }

        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, j = 0;
        if (width == SimdWidth.Vector512)
        {
            Vector512<float> scale = Vector512.Create(a);
            for (; j + Vector512<float>.Count <= n; j += Vector512<float>.Count)
            {
                Vector512<float> sum = (Vector512.LoadUnsafe(ref xs, (nuint)j) * scale) + Vector512.LoadUnsafe(ref ys, (nuint)j);
                sum.StoreUnsafe(ref ys, (nuint)j);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            Vector256<float> scale = Vector256.Create(a);
            for (; j + Vector256<float>.Count <= n; j += Vector256<float>.Count)
            {
                Vector256<float> sum = (Vector256.LoadUnsafe(ref xs, (nuint)j) * scale) + Vector256.LoadUnsafe(ref ys, (nuint)j);
                sum.StoreUnsafe(ref ys, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref ys, j) = (Unsafe.Add(ref xs, j) * a) + Unsafe.Add(ref ys, j);
        }
    }

    /// <summary>
    /// Asks the CPU to start loading <paramref name="row"/> into cache (a hint: no fault, no effect on results). The sparse
    /// products call it a few non-zeros ahead, so the row a later multiply-add reads (or writes) is on its way while the
    /// current one is computed: their rows are scattered over tables larger than the first-level caches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ReadOnlySpan<float> table, int offset, int length)
    {
        if (Sse.IsSupported && (uint)offset < (uint)table.Length)
        {
            byte* first = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetReference(table), offset));
            for (int b = 0; b < length * sizeof(float); b += 64)
            {
                Sse.Prefetch0(first + b);
            }
        }
    }

    /// <summary>
    /// <see cref="Prefetch"/> of the four cache lines of one 64-float strip (two of a 32-float one) at a raw address,
    /// unrolled: the register kernels' inner loops, where a loop over the lines and its bounds check cost more
    /// instructions than the entry's own arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchStrip(float* strip, int floats)
    {
        if (Sse.IsSupported)
        {
            var first = (byte*)strip;
            Sse.Prefetch0(first);
            Sse.Prefetch0(first + 64);
            if (floats > 32)
            {
                Sse.Prefetch0(first + 128);
                Sse.Prefetch0(first + 192);
            }
        }
    }

    private static void Throw(int x, int y) => throw new ArgumentException($"y ← x·a + y: x has {x} values, y {y}");
}
