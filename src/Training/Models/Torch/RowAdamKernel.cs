using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>The constants of one lazy Adam step, rounded to float once (as torch rounds a double scalar for a float tensor).</summary>
internal readonly record struct AdamStepConstants(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
    float BiasCorrection1, float BiasCorrection2, float Epsilon, float LearningRate, float WeightDecay)
{
    public static AdamStepConstants For(double beta1, double beta2, double epsilon, double learningRate, double weightDecay, long step) =>
        new((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)(1 - Math.Pow(beta1, step)),
            (float)(1 - Math.Pow(beta2, step)), (float)epsilon, (float)learningRate, (float)weightDecay);
}

/// <summary>
/// <see cref="RowAdam"/>'s update fused into one pass per touched row: read the gradient, the weights and both moments
/// once, write them once. The torch formulation gathers each table's rows, updates copies and scatters them back
/// (index_select / index_copy_ three times, five element-wise passes, fresh temporaries every step): profiled on item-based
/// AutoRec, index_copy_ and the copies and page faults around it were most of the epoch. Per element it does torch's
/// operations in torch's order and rounding: g ← g + λw, m ← β₁m + (1−β₁)g and v ← β₂v + (1−β₂)g·g as fused multiply-adds
/// (as torch's vectorized add-with-alpha and addcmul compute them), w ← w − (m / c₁) / (√(v / c₂) + ε) · lr. Only √ can
/// differ, in the last bit: <see cref="Step"/>'s is IEEE's correctly rounded square root, torch's (MKL's vector math) is not
/// always; <see cref="Moments"/> and <see cref="Apply"/> split the step around √ so that a caller can take torch's, and
/// <see cref="StepWithTorchRoot"/> does so per block of rows in cache, calling torch's √ itself (<see cref="TorchSquareRoot"/>).
/// </summary>
internal static unsafe class RowAdamKernel
{
    // Below this many values a step runs on the calling thread (bias tables: one value per row).
    private const long ParallelThreshold = 1 << 15;

    // Values per block of StepWithTorchRoot: 16 KB of v / c₂ (then its root), with the block's rows, in L1.
    private const int RootBlockValues = 4096;

    // Rows ahead whose lines the passes over scattered rows ask for.
    private const int PrefetchDistance = 4;

    /// <summary>
    /// Updates rows <paramref name="rows"/> (distinct, each below the table's row count; null: rows 0..count−1) of a row-major table of
    /// <paramref name="width"/> floats per row and its two moment tables; <paramref name="gradient"/> holds one row per entry of <paramref name="rows"/>.
    /// </summary>
    public static void Step(float* table, float* m, float* v, float* gradient, long* rows, long count, int width,
        AdamStepConstants c, int threads, SimdWidth simd)
    {
        var p = (Table: (nint)table, M: (nint)m, V: (nint)v, Gradient: (nint)gradient, Rows: (nint)rows);
        ForRows(count, width, threads, (from, to) =>
            StepRows((float*)p.Table, (float*)p.M, (float*)p.V, (float*)p.Gradient, (long*)p.Rows, from, to, width, c, simd));
    }

    /// <summary>
    /// The first half of the step whose √ the caller takes (so it can be torch's own, see <see cref="RowAdam"/>): g ← g + λw,
    /// m and v as in <see cref="Step"/>, and v / c₂ written to <paramref name="scaled"/> (one row per entry of <paramref name="rows"/>).
    /// </summary>
    public static void Moments(float* table, float* m, float* v, float* gradient, long* rows, long count, int width,
        AdamStepConstants c, float* scaled, int threads, SimdWidth simd)
    {
        var p = (Table: (nint)table, M: (nint)m, V: (nint)v, Gradient: (nint)gradient, Rows: (nint)rows, Scaled: (nint)scaled);
        ForRows(count, width, threads, (from, to) =>
            MomentRows((float*)p.Table, (float*)p.M, (float*)p.V, (float*)p.Gradient, (long*)p.Rows, from, to, width, c, (float*)p.Scaled + (from * width), simd));
    }

    /// <summary>The second half: w ← w − (m / c₁) / (<paramref name="root"/> + ε) · lr, root = √(v / c₂) as the caller took it.</summary>
    public static void Apply(float* table, float* m, float* root, long* rows, long count, int width, AdamStepConstants c, int threads, SimdWidth simd)
    {
        var p = (Table: (nint)table, M: (nint)m, Root: (nint)root, Rows: (nint)rows);
        ForRows(count, width, threads, (from, to) =>
            ApplyRows((float*)p.Table, (float*)p.M, (float*)p.Root + (from * width), (long*)p.Rows, from, to, width, c, simd));
    }

    /// <summary>
    /// <see cref="Moments"/>, torch's √ (<see cref="TorchSquareRoot"/>) and <see cref="Apply"/> on blocks of rows small enough
    /// to stay in the first-level cache: torch's floats in one pass over the touched rows instead of two.
    /// </summary>
    public static void StepWithTorchRoot(float* table, float* m, float* v, float* gradient, long* rows, long count, int width,
        AdamStepConstants c, int threads, SimdWidth simd)
    {
        var p = (Table: (nint)table, M: (nint)m, V: (nint)v, Gradient: (nint)gradient, Rows: (nint)rows);
        int blockRows = Math.Max(1, RootBlockValues / Math.Max(1, width));
        ForRows(count, width, threads, (from, to) =>
        {
            float[]? heap = blockRows * width > RootBlockValues ? GC.AllocateUninitializedArray<float>(width, pinned: true) : null;
            Span<float> block = heap is null ? stackalloc float[RootBlockValues] : heap;
            fixed (float* scaled = block)
            {
                for (long start = from; start < to; start += blockRows)
                {
                    long end = Math.Min(to, start + blockRows);
                    MomentRows((float*)p.Table, (float*)p.M, (float*)p.V, (float*)p.Gradient, (long*)p.Rows, start, end, width, c, scaled, simd, prefetchUpTo: to);
                    TorchSquareRoot.InPlace(scaled, (int)((end - start) * width));
                    ApplyRows((float*)p.Table, (float*)p.M, scaled, (long*)p.Rows, start, end, width, c, simd);
                }
            }
        });
    }

    private static void PrefetchRow(float* table, float* m, float* v, long at, int width)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int b = 0; b < width * sizeof(float); b += 64)
        {
            Sse.Prefetch0((byte*)(table + at) + b);
            if (m is not null)
            {
                Sse.Prefetch0((byte*)(m + at) + b);
                Sse.Prefetch0((byte*)(v + at) + b);
            }
        }
    }

    /// <summary>Copies rows <paramref name="rows"/> of the table into <paramref name="target"/> (one row per entry, in order).</summary>
    public static void CopyRows(float* table, long* rows, long count, int width, float* target, int threads)
    {
        var p = (Table: (nint)table, Rows: (nint)rows, Target: (nint)target);
        ForRows(count, width, threads, (from, to) =>
        {
            for (long i = from; i < to; i++)
            {
                if (i + PrefetchDistance < to)
                {
                    PrefetchRow((float*)p.Table, null, null, ((long*)p.Rows)[i + PrefetchDistance] * width, width);
                }

                new ReadOnlySpan<float>((float*)p.Table + (((long*)p.Rows)[i] * width), width).CopyTo(new Span<float>((float*)p.Target + (i * width), width));
            }
        });
    }

    private static void ForRows(long count, int width, int threads, Action<long, long> rowsFromTo)
    {
        if (count * width < ParallelThreshold || threads <= 1)
        {
            rowsFromTo(0, count);
            return;
        }

        long chunk = Math.Max(1, (count + (threads * 4) - 1) / (threads * 4));
        Parallel.For(0, (count + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            rowsFromTo(k * chunk, Math.Min(count, (k + 1) * chunk)));
    }

    // scaled: one row per entry of rows[from..to), starting at its first.
    // prefetchUpTo: while at row i, ask for row i + PrefetchDistance's lines of the three tables if it is below this (the
    // rows are scattered through tables far larger than the caches; one row at a time keeps the misses in flight few
    // enough not to stall).
    private static void MomentRows(float* table, float* m, float* v, float* gradient, long* rows, long from, long to, int width,
        AdamStepConstants c, float* scaled, SimdWidth simd, long prefetchUpTo = 0)
    {
        for (long i = from; i < to; i++)
        {
            if (i + PrefetchDistance < prefetchUpTo)
            {
                PrefetchRow(table, m, v, (rows is null ? i + PrefetchDistance : rows[i + PrefetchDistance]) * width, width);
            }

            long at = (rows is null ? i : rows[i]) * width;
            float* g = gradient + (i * width), s = scaled + ((i - from) * width);
            int j = simd switch
            {
                SimdWidth.Vector512 => Moments512(table + at, m + at, v + at, g, s, width, c),
                SimdWidth.Vector256 => Moments256(table + at, m + at, v + at, g, s, width, c),
                _ => 0,
            };
            for (; j < width; j++)
            {
                float gj = c.WeightDecay != 0 ? MathF.FusedMultiplyAdd(table[at + j], c.WeightDecay, g[j]) : g[j];
                m[at + j] = MathF.FusedMultiplyAdd(gj, c.OneMinusBeta1, m[at + j] * c.Beta1);
                v[at + j] = MathF.FusedMultiplyAdd(c.OneMinusBeta2 * gj, gj, v[at + j] * c.Beta2);
                s[j] = v[at + j] / c.BiasCorrection2;
            }
        }
    }

    // root: one row per entry of rows[from..to), starting at its first.
    private static void ApplyRows(float* table, float* m, float* root, long* rows, long from, long to, int width, AdamStepConstants c, SimdWidth simd)
    {
        for (long i = from; i < to; i++)
        {
            long at = (rows is null ? i : rows[i]) * width;
            float* r = root + ((i - from) * width);
            int j = simd switch
            {
                SimdWidth.Vector512 => Apply512(table + at, m + at, r, width, c),
                SimdWidth.Vector256 => Apply256(table + at, m + at, r, width, c),
                _ => 0,
            };
            for (; j < width; j++)
            {
                table[at + j] -= m[at + j] / c.BiasCorrection1 / (r[j] + c.Epsilon) * c.LearningRate;
            }
        }
    }

    private static int Moments512(float* w, float* m, float* v, float* g, float* s, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector512<float>.Count <= width; j += Vector512<float>.Count)
        {
            Vector512<float> gj = Vector512.Load(g + j);
            if (c.WeightDecay != 0)
            {
                gj = Vector512.FusedMultiplyAdd(Vector512.Load(w + j), Vector512.Create(c.WeightDecay), gj);
            }

            Vector512.FusedMultiplyAdd(gj, Vector512.Create(c.OneMinusBeta1), Vector512.Load(m + j) * Vector512.Create(c.Beta1)).Store(m + j);
            Vector512<float> vj = Vector512.FusedMultiplyAdd(Vector512.Create(c.OneMinusBeta2) * gj, gj, Vector512.Load(v + j) * Vector512.Create(c.Beta2));
            vj.Store(v + j);
            (vj / Vector512.Create(c.BiasCorrection2)).Store(s + j);
        }

        return j;
    }

    private static int Moments256(float* w, float* m, float* v, float* g, float* s, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
        {
            Vector256<float> gj = Vector256.Load(g + j);
            if (c.WeightDecay != 0)
            {
                gj = Vector256.FusedMultiplyAdd(Vector256.Load(w + j), Vector256.Create(c.WeightDecay), gj);
            }

            Vector256.FusedMultiplyAdd(gj, Vector256.Create(c.OneMinusBeta1), Vector256.Load(m + j) * Vector256.Create(c.Beta1)).Store(m + j);
            Vector256<float> vj = Vector256.FusedMultiplyAdd(Vector256.Create(c.OneMinusBeta2) * gj, gj, Vector256.Load(v + j) * Vector256.Create(c.Beta2));
            vj.Store(v + j);
            (vj / Vector256.Create(c.BiasCorrection2)).Store(s + j);
        }

        return j;
    }

    private static int Apply512(float* w, float* m, float* root, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector512<float>.Count <= width; j += Vector512<float>.Count)
        {
            Vector512<float> step = Vector512.Load(m + j) / Vector512.Create(c.BiasCorrection1) / (Vector512.Load(root + j) + Vector512.Create(c.Epsilon));
            (Vector512.Load(w + j) - (step * Vector512.Create(c.LearningRate))).Store(w + j);
        }

        return j;
    }

    private static int Apply256(float* w, float* m, float* root, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
        {
            Vector256<float> step = Vector256.Load(m + j) / Vector256.Create(c.BiasCorrection1) / (Vector256.Load(root + j) + Vector256.Create(c.Epsilon));
            (Vector256.Load(w + j) - (step * Vector256.Create(c.LearningRate))).Store(w + j);
        }

        return j;
    }

    /// <summary>
    /// <see cref="Step"/> on the calling thread, for a caller that already runs in parallel over disjoint rows
    /// (<see cref="InBackwardAdam"/>: a few rows at a time, from inside a product's parts).
    /// </summary>
    public static void StepOnThisThread(float* table, float* m, float* v, float* gradient, long* rows, long count, int width,
        AdamStepConstants c, SimdWidth simd) => StepRows(table, m, v, gradient, rows, 0, count, width, c, simd);

    private static void StepRows(float* table, float* m, float* v, float* gradient, long* rows, long from, long to, int width,
        AdamStepConstants c, SimdWidth simd)
    {
        for (long i = from; i < to; i++)
        {
            long at = (rows is null ? i : rows[i]) * width;
            float* g = gradient + (i * width);
            int j = simd switch
            {
                SimdWidth.Vector512 => Row512(table + at, m + at, v + at, g, width, c),
                SimdWidth.Vector256 => Row256(table + at, m + at, v + at, g, width, c),
                _ => 0,
            };
            for (; j < width; j++)
            {
                float gj = c.WeightDecay != 0 ? MathF.FusedMultiplyAdd(table[at + j], c.WeightDecay, g[j]) : g[j];
                float mj = MathF.FusedMultiplyAdd(gj, c.OneMinusBeta1, m[at + j] * c.Beta1);
                float vj = MathF.FusedMultiplyAdd(c.OneMinusBeta2 * gj, gj, v[at + j] * c.Beta2);
                m[at + j] = mj;
                v[at + j] = vj;
                table[at + j] -= mj / c.BiasCorrection1 / (MathF.Sqrt(vj / c.BiasCorrection2) + c.Epsilon) * c.LearningRate;
            }
        }
    }

    // Returns how many leading values it updated (whole vectors); the caller finishes the tail in scalar code.
    private static int Row512(float* w, float* m, float* v, float* g, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector512<float>.Count <= width; j += Vector512<float>.Count)
        {
            Vector512<float> wj = Vector512.Load(w + j);
            Vector512<float> gj = Vector512.Load(g + j);
            if (c.WeightDecay != 0)
            {
                gj = Vector512.FusedMultiplyAdd(wj, Vector512.Create(c.WeightDecay), gj);
            }

            Vector512<float> mj = Vector512.FusedMultiplyAdd(gj, Vector512.Create(c.OneMinusBeta1), Vector512.Load(m + j) * Vector512.Create(c.Beta1));
            Vector512<float> vj = Vector512.FusedMultiplyAdd(Vector512.Create(c.OneMinusBeta2) * gj, gj, Vector512.Load(v + j) * Vector512.Create(c.Beta2));
            mj.Store(m + j);
            vj.Store(v + j);
            Vector512<float> denominator = Vector512.Sqrt(vj / Vector512.Create(c.BiasCorrection2)) + Vector512.Create(c.Epsilon);
            (wj - (mj / Vector512.Create(c.BiasCorrection1) / denominator * Vector512.Create(c.LearningRate))).Store(w + j);
        }

        return j;
    }

    private static int Row256(float* w, float* m, float* v, float* g, int width, AdamStepConstants c)
    {
        int j = 0;
        for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
        {
            Vector256<float> wj = Vector256.Load(w + j);
            Vector256<float> gj = Vector256.Load(g + j);
            if (c.WeightDecay != 0)
            {
                gj = Vector256.FusedMultiplyAdd(wj, Vector256.Create(c.WeightDecay), gj);
            }

            Vector256<float> mj = Vector256.FusedMultiplyAdd(gj, Vector256.Create(c.OneMinusBeta1), Vector256.Load(m + j) * Vector256.Create(c.Beta1));
            Vector256<float> vj = Vector256.FusedMultiplyAdd(Vector256.Create(c.OneMinusBeta2) * gj, gj, Vector256.Load(v + j) * Vector256.Create(c.Beta2));
            mj.Store(m + j);
            vj.Store(v + j);
            Vector256<float> denominator = Vector256.Sqrt(vj / Vector256.Create(c.BiasCorrection2)) + Vector256.Create(c.Epsilon);
            (wj - (mj / Vector256.Create(c.BiasCorrection1) / denominator * Vector256.Create(c.LearningRate))).Store(w + j);
        }

        return j;
    }
}
