using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>The hyperparameters of one SGD step (the learning rate already scheduled for the epoch).</summary>
internal readonly record struct SgdStep(float LearningRate, float RegularizationFactors, float RegularizationBias);

/// <summary>
/// The SGD update of biased MF on one rating, fused: one pass loads p_u and q_i, takes the dot product, and writes both
/// updated rows back. It is a gradient step of the per-rating loss
/// ½e² + ½λ_f(|p_u|² + |q_i|²) + ½λ_b(b_u² + b_i²) with e = r − μ − b_u − b_i − p_u·q_i:
/// p_u ← p_u + η(e q_i − λ_f p_u), q_i ← q_i + η(e p_u − λ_f q_i) (with the old p_u), b ← b + η(e − λ_b b).
/// Factor rows are padded with zeros to a multiple of <see cref="Lanes"/>; the padding stays zero under the update.
/// </summary>
internal static unsafe class SgdKernel
{
    /// <summary>Floats per Vector512: factor rows are padded to a multiple of this.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Interleaved streams per block. Consecutive ratings of one user form a dependency chain through p_u (load, dot,
    /// reduce, update, store); visiting four stretches of the block in turn gives the core four independent chains to
    /// overlap while each stream still revisits its user's row from L1.
    /// </summary>
    public const int Streams = 4;

    private interface IRowUpdate
    {
        static abstract float Apply(float* p, float* q, float* bu, float* bi, float residual, int stride, SgdStep step);
    }

    public static int Stride(int factors) => (factors + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// The update on spans (for tests): rows of equal length, a multiple of <see cref="Lanes"/>, at the given width
    /// (<see cref="SimdWidth.Vector512"/> takes the unrolled k = 64 kernel when the rows are 64 long). Returns the
    /// error e before the update.
    /// </summary>
    internal static float Update(Span<float> userFactors, Span<float> movieFactors, ref float userBias, ref float movieBias, float residual, SgdStep step,
        SimdWidth width)
    {
        if (userFactors.Length != movieFactors.Length || userFactors.Length % Lanes != 0)
        {
            throw new ArgumentException($"factor rows must have equal lengths that are multiples of {Lanes}", nameof(userFactors));
        }

        fixed (float* p = userFactors, q = movieFactors)
        fixed (float* bu = &userBias, bi = &movieBias)
        {
            int stride = userFactors.Length;
            return width switch
            {
                SimdWidth.Vector512 when stride == 64 => Row64.Apply(p, q, bu, bi, residual, stride, step),
                SimdWidth.Vector512 => Row512.Apply(p, q, bu, bi, residual, stride, step),
                SimdWidth.Vector256 => Row256.Apply(p, q, bu, bi, residual, stride, step),
                _ => RowScalar.Apply(p, q, bu, bi, residual, stride, step),
            };
        }
    }

    /// <summary>
    /// <see cref="RunBlock(ReadOnlySpan{SgdEntry}, float*, float*, float*, float*, float, int, SgdStep)"/> on spans at
    /// the given width (for tests): factor rows <paramref name="stride"/> apart, every index in range.
    /// </summary>
    internal static double RunBlock(ReadOnlySpan<SgdEntry> entries, Span<float> userFactors, Span<float> movieFactors, Span<float> userBias, Span<float> movieBias,
        float mean, int stride, SgdStep step, SimdWidth width)
    {
        if (stride % Lanes != 0 || userFactors.Length != userBias.Length * stride || movieFactors.Length != movieBias.Length * stride)
        {
            throw new ArgumentException($"factor rows must be {nameof(stride)} apart, a multiple of {Lanes}", nameof(stride));
        }

        foreach (SgdEntry e in entries)
        {
            if ((uint)e.User >= (uint)userBias.Length || e.Movie >= movieBias.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(entries), $"entry ({e.User}, {e.Movie}) is outside the parameters");
            }
        }

        fixed (float* p = userFactors, q = movieFactors, bu = userBias, bi = movieBias)
        {
            return RunBlock(entries, p, q, bu, bi, mean, stride, step, width);
        }
    }

    /// <summary>SGD over the ratings of one block; returns the sum of squared errors seen before each update.</summary>
    public static double RunBlock(ReadOnlySpan<SgdEntry> entries, float* userFactors, float* movieFactors, float* userBias, float* movieBias,
        float mean, int stride, SgdStep step) =>
        RunBlock(entries, userFactors, movieFactors, userBias, movieBias, mean, stride, step, SimdWidths.Best);

    // One switch per block, not per rating: each branch is a separate instantiation with the row update inlined.
    private static double RunBlock(ReadOnlySpan<SgdEntry> entries, float* userFactors, float* movieFactors, float* userBias, float* movieBias,
        float mean, int stride, SgdStep step, SimdWidth width) => width switch
        {
            SimdWidth.Vector512 when stride == 64 => RunBlock<Row64>(entries, userFactors, movieFactors, userBias, movieBias, mean, stride, step),
            SimdWidth.Vector512 => RunBlock<Row512>(entries, userFactors, movieFactors, userBias, movieBias, mean, stride, step),
            SimdWidth.Vector256 => RunBlock<Row256>(entries, userFactors, movieFactors, userBias, movieBias, mean, stride, step),
            _ => RunBlock<RowScalar>(entries, userFactors, movieFactors, userBias, movieBias, mean, stride, step),
        };

    private static double RunBlock<TRow>(ReadOnlySpan<SgdEntry> entries, float* userFactors, float* movieFactors, float* userBias, float* movieBias,
        float mean, int stride, SgdStep step)
        where TRow : struct, IRowUpdate
    {
        double squares = 0;
        int stretch = entries.Length / Streams;
        fixed (SgdEntry* first = entries)
        {
            SgdEntry* s0 = first, s1 = first + stretch, s2 = first + (2 * stretch), s3 = first + (3 * stretch);
            for (int i = 0; i < stretch; i++)
            {
                float e0 = Visit<TRow>(s0 + i, userFactors, movieFactors, userBias, movieBias, mean, stride, step);
                float e1 = Visit<TRow>(s1 + i, userFactors, movieFactors, userBias, movieBias, mean, stride, step);
                float e2 = Visit<TRow>(s2 + i, userFactors, movieFactors, userBias, movieBias, mean, stride, step);
                float e3 = Visit<TRow>(s3 + i, userFactors, movieFactors, userBias, movieBias, mean, stride, step);
                squares += (e0 * e0) + (e1 * e1) + (e2 * e2) + (e3 * e3);
            }

            for (SgdEntry* e = first + (Streams * stretch); e < first + entries.Length; e++)
            {
                float error = Visit<TRow>(e, userFactors, movieFactors, userBias, movieBias, mean, stride, step);
                squares += error * error;
            }
        }

        return squares;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Visit<TRow>(SgdEntry* e, float* userFactors, float* movieFactors, float* userBias, float* movieBias,
        float mean, int stride, SgdStep step)
        where TRow : struct, IRowUpdate =>
        TRow.Apply(userFactors + ((nint)e->User * stride), movieFactors + ((nint)e->Movie * stride), userBias + e->User, movieBias + e->Movie,
            e->Rating - mean, stride, step);

    /// <summary>
    /// The sum of the 16 lanes, broadcast to every lane: the error is needed as a vector for the row updates, so this
    /// skips the round trip through a scalar and keeps the reduction at four shuffle-add steps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SumToAll(Vector512<float> v)
    {
        if (!Avx512F.IsSupported)
        {
            // Forced onto a machine without AVX-512 (tests): the portable sum, in software.
            return Vector512.Create(Vector512.Sum(v));
        }

        v += Avx512F.Shuffle4x128(v, v, 0b01_00_11_10);
        v += Avx512F.Shuffle4x128(v, v, 0b10_11_00_01);
        v += Avx512F.Permute4x32(v, 0b01_00_11_10);
        return v + Avx512F.Permute4x32(v, 0b10_11_00_01);
    }

    /// <summary>Bias steps b ← b + η(e − λ_b b), from the scaled error ηe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateBiases(float* bu, float* bi, float userBias, float movieBias, float scaledError, SgdStep step)
    {
        float keep = 1f - (step.LearningRate * step.RegularizationBias);
        *bu = (userBias * keep) + scaledError;
        *bi = (movieBias * keep) + scaledError;
    }

    /// <summary>k = 64 unrolled: four Vector512 per row, two independent FMA chains for the dot product.</summary>
    private readonly struct Row64 : IRowUpdate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float* p, float* q, float* bu, float* bi, float residual, int stride, SgdStep step)
        {
            Vector512<float> p0 = Vector512.Load(p), p1 = Vector512.Load(p + 16), p2 = Vector512.Load(p + 32), p3 = Vector512.Load(p + 48);
            Vector512<float> q0 = Vector512.Load(q), q1 = Vector512.Load(q + 16), q2 = Vector512.Load(q + 32), q3 = Vector512.Load(q + 48);
            float userBias = *bu, movieBias = *bi;
            Vector512<float> dot = SumToAll(Vector512.FusedMultiplyAdd(p1, q1, p0 * q0) + Vector512.FusedMultiplyAdd(p3, q3, p2 * q2));
            Vector512<float> error = Vector512.Create(residual - userBias - movieBias) - dot;
            Vector512<float> gain = error * step.LearningRate;
            var keep = Vector512.Create(1f - (step.LearningRate * step.RegularizationFactors));
            Vector512.FusedMultiplyAdd(gain, q0, p0 * keep).Store(p);
            Vector512.FusedMultiplyAdd(gain, q1, p1 * keep).Store(p + 16);
            Vector512.FusedMultiplyAdd(gain, q2, p2 * keep).Store(p + 32);
            Vector512.FusedMultiplyAdd(gain, q3, p3 * keep).Store(p + 48);
            Vector512.FusedMultiplyAdd(gain, p0, q0 * keep).Store(q);
            Vector512.FusedMultiplyAdd(gain, p1, q1 * keep).Store(q + 16);
            Vector512.FusedMultiplyAdd(gain, p2, q2 * keep).Store(q + 32);
            Vector512.FusedMultiplyAdd(gain, p3, q3 * keep).Store(q + 48);
            UpdateBiases(bu, bi, userBias, movieBias, gain.ToScalar(), step);
            return error.ToScalar();
        }
    }

    /// <summary>Any padded width with Vector512.</summary>
    private readonly struct Row512 : IRowUpdate
    {
        public static float Apply(float* p, float* q, float* bu, float* bi, float residual, int stride, SgdStep step)
        {
            Vector512<float> sum = Vector512<float>.Zero;
            for (int f = 0; f < stride; f += 16)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(p + f), Vector512.Load(q + f), sum);
            }

            float userBias = *bu, movieBias = *bi;
            Vector512<float> error = Vector512.Create(residual - userBias - movieBias) - SumToAll(sum);
            Vector512<float> gain = error * step.LearningRate;
            var keep = Vector512.Create(1f - (step.LearningRate * step.RegularizationFactors));
            for (int f = 0; f < stride; f += 16)
            {
                Vector512<float> pf = Vector512.Load(p + f), qf = Vector512.Load(q + f);
                Vector512.FusedMultiplyAdd(gain, qf, pf * keep).Store(p + f);
                Vector512.FusedMultiplyAdd(gain, pf, qf * keep).Store(q + f);
            }

            UpdateBiases(bu, bi, userBias, movieBias, gain.ToScalar(), step);
            return error.ToScalar();
        }
    }

    /// <summary>Machines with AVX2 but not AVX-512.</summary>
    private readonly struct Row256 : IRowUpdate
    {
        public static float Apply(float* p, float* q, float* bu, float* bi, float residual, int stride, SgdStep step)
        {
            Vector256<float> sum = Vector256<float>.Zero;
            for (int f = 0; f < stride; f += 8)
            {
                sum = Vector256.FusedMultiplyAdd(Vector256.Load(p + f), Vector256.Load(q + f), sum);
            }

            float userBias = *bu, movieBias = *bi;
            float error = residual - userBias - movieBias - Vector256.Sum(sum);
            float scaledError = step.LearningRate * error;
            var gain = Vector256.Create(scaledError);
            var keep = Vector256.Create(1f - (step.LearningRate * step.RegularizationFactors));
            for (int f = 0; f < stride; f += 8)
            {
                Vector256<float> pf = Vector256.Load(p + f), qf = Vector256.Load(q + f);
                Vector256.FusedMultiplyAdd(gain, qf, pf * keep).Store(p + f);
                Vector256.FusedMultiplyAdd(gain, pf, qf * keep).Store(q + f);
            }

            UpdateBiases(bu, bi, userBias, movieBias, scaledError, step);
            return error;
        }
    }

    /// <summary>Machines without AVX2 (or any vector unit): plain loops the JIT may still vectorize as it can.</summary>
    private readonly struct RowScalar : IRowUpdate
    {
        public static float Apply(float* p, float* q, float* bu, float* bi, float residual, int stride, SgdStep step)
        {
            float dot = 0f;
            for (int f = 0; f < stride; f++)
            {
                dot += p[f] * q[f];
            }

            float userBias = *bu, movieBias = *bi;
            float error = residual - userBias - movieBias - dot;
            float scaledError = step.LearningRate * error;
            float keep = 1f - (step.LearningRate * step.RegularizationFactors);
            for (int f = 0; f < stride; f++)
            {
                float pf = p[f], qf = q[f];
                p[f] = (pf * keep) + (scaledError * qf);
                q[f] = (qf * keep) + (scaledError * pf);
            }

            UpdateBiases(bu, bi, userBias, movieBias, scaledError, step);
            return error;
        }
    }
}
