using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// GC-MC's decoder scores s_ib = u_iᵀ P_b v_i of aligned rows (users and movies [N, d], bases [B, d, d]) as one
/// differentiable operation. In torch ops (u·[P_1 … P_B] as one product, times v, summed over d) a step keeps the product
/// and the elementwise one, [N, B·d] each, and the backward builds two more: 270 MB at GC-MC's default batch of 262,144
/// (d = 32, two bases), 540 MB at 524,288, freshly mapped and faulted in every step. Here none: per row, t_b = P_bᵀu is
/// summed in registers a vector of columns at a time and dotted with v, and the backward recomputes what it needs.
/// Each row's floats depend only on that row; the bases' gradient is summed per block of rows and the blocks in order,
/// so the result does not depend on the thread count. On another device it is the torch ops.
/// </summary>
internal static class BasisScores
{
    // Rows per block of the bases' gradient: one [B, d, d] partial per block.
    private const int BlockRows = 2048;

    /// <summary>Scores [N, B]; differentiable in all three inputs.</summary>
    public static Tensor Apply(Tensor users, Tensor movies, Tensor bases, int threads)
    {
        if (users.dim() != 2 || !users.shape.SequenceEqual(movies.shape) || bases.dim() != 3 || bases.shape[1] != users.shape[1] || bases.shape[2] != users.shape[1])
        {
            throw new ArgumentException($"basis scores: users and movies must be [N, d] and bases [B, d, d], got [{string.Join(", ", users.shape)}], [{string.Join(", ", movies.shape)}], [{string.Join(", ", bases.shape)}]");
        }

        if (users.device_type != DeviceType.CPU || users.dtype != ScalarType.Float32)
        {
            long n = users.shape[0], count = bases.shape[0], d = bases.shape[1];
            using Tensor projected = users.mm(bases.permute(1, 0, 2).reshape(d, count * d)).reshape(n, count, d);
            return (projected * movies.unsqueeze(1)).sum(2);
        }

        return Function.apply(Math.Max(1, threads), users, movies, bases);
    }

    /// <summary>s[i·B + b] = u_iᵀ P_b v_i for rows [from, to).</summary>
    internal static unsafe void Forward(SimdWidth width, float* u, float* v, float* p, float* s, long from, long to, int d, int bases)
    {
        for (long i = from; i < to; i++)
        {
            float* ui = u + (i * d), vi = v + (i * d);
            for (int b = 0; b < bases; b++)
            {
                s[(i * bases) + b] = Score(width, ui, vi, p + ((long)b * d * d), d);
            }
        }
    }

    /// <summary>
    /// For rows [from, to) with upstream g [N, B]: du_i = Σ_b g_ib P_b v_i, dv_i = Σ_b g_ib P_bᵀ u_i (written), and
    /// dP_b += Σ_i g_ib u_i v_iᵀ (added into <paramref name="dp"/>). <paramref name="pt"/> holds each P_bᵀ.
    /// </summary>
    internal static unsafe void Backward(SimdWidth width, float* u, float* v, float* p, float* pt, float* g, float* du, float* dv, float* dp,
        long from, long to, int d, int bases)
    {
        for (long i = from; i < to; i++)
        {
            float* ui = u + (i * d), vi = v + (i * d), gi = g + (i * bases);
            // du_i[j] = Σ_b Σ_k (g_b v_k) P_bᵀ[k, j]; dv_i[k] = Σ_b Σ_j (g_b u_j) P_b[j, k]: both rows of a table times a vector.
            Combine(width, vi, gi, pt, du + (i * d), d, bases);
            Combine(width, ui, gi, p, dv + (i * d), d, bases);
            for (int b = 0; b < bases; b++)
            {
                float* dpb = dp + ((long)b * d * d);
                for (int j = 0; j < d; j++)
                {
                    AddScaled(width, gi[b] * ui[j], vi, dpb + ((long)j * d), d);
                }
            }
        }
    }

    // uᵀ P v: t = Σ_j u_j P[j, :] a vector of columns at a time in registers, dotted with v.
    private static unsafe float Score(SimdWidth width, float* u, float* v, float* p, int d)
    {
        int k = 0;
        float score = 0;
        if (width == SimdWidth.Vector512)
        {
            Vector512<float> sum = Vector512<float>.Zero;
            for (; k + Vector512<float>.Count <= d; k += Vector512<float>.Count)
            {
                Vector512<float> t = Vector512<float>.Zero;
                for (int j = 0; j < d; j++)
                {
                    t = Vector512.FusedMultiplyAdd(Vector512.Create(u[j]), Vector512.Load(p + ((long)j * d) + k), t);
                }

                sum = Vector512.FusedMultiplyAdd(t, Vector512.Load(v + k), sum);
            }

            score = Vector512.Sum(sum);
        }
        else if (width == SimdWidth.Vector256)
        {
            Vector256<float> sum = Vector256<float>.Zero;
            for (; k + Vector256<float>.Count <= d; k += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256<float>.Zero;
                for (int j = 0; j < d; j++)
                {
                    t = Vector256.FusedMultiplyAdd(Vector256.Create(u[j]), Vector256.Load(p + ((long)j * d) + k), t);
                }

                sum = Vector256.FusedMultiplyAdd(t, Vector256.Load(v + k), sum);
            }

            score = Vector256.Sum(sum);
        }

        for (; k < d; k++)
        {
            float t = 0;
            for (int j = 0; j < d; j++)
            {
                t = MathF.FusedMultiplyAdd(u[j], p[((long)j * d) + k], t);
            }

            score = MathF.FusedMultiplyAdd(t, v[k], score);
        }

        return score;
    }

    // target[k] = Σ_b Σ_j (g_b x_j) tables_b[j, k], a vector of columns at a time in registers.
    private static unsafe void Combine(SimdWidth width, float* x, float* g, float* tables, float* target, int d, int bases)
    {
        int k = 0;
        if (width == SimdWidth.Vector512)
        {
            for (; k + Vector512<float>.Count <= d; k += Vector512<float>.Count)
            {
                Vector512<float> t = Vector512<float>.Zero;
                for (int b = 0; b < bases; b++)
                {
                    float* table = tables + ((long)b * d * d) + k;
                    for (int j = 0; j < d; j++)
                    {
                        t = Vector512.FusedMultiplyAdd(Vector512.Create(g[b] * x[j]), Vector512.Load(table + ((long)j * d)), t);
                    }
                }

                t.Store(target + k);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            for (; k + Vector256<float>.Count <= d; k += Vector256<float>.Count)
            {
                Vector256<float> t = Vector256<float>.Zero;
                for (int b = 0; b < bases; b++)
                {
                    float* table = tables + ((long)b * d * d) + k;
                    for (int j = 0; j < d; j++)
                    {
                        t = Vector256.FusedMultiplyAdd(Vector256.Create(g[b] * x[j]), Vector256.Load(table + ((long)j * d)), t);
                    }
                }

                t.Store(target + k);
            }
        }

        for (; k < d; k++)
        {
            float t = 0;
            for (int b = 0; b < bases; b++)
            {
                float* table = tables + ((long)b * d * d) + k;
                for (int j = 0; j < d; j++)
                {
                    t = MathF.FusedMultiplyAdd(g[b] * x[j], table[(long)j * d], t);
                }
            }

            target[k] = t;
        }
    }

    // target += a·x over d values.
    private static unsafe void AddScaled(SimdWidth width, float a, float* x, float* target, int d)
    {
        int k = 0;
        if (width == SimdWidth.Vector512)
        {
            for (; k + Vector512<float>.Count <= d; k += Vector512<float>.Count)
            {
                Vector512.FusedMultiplyAdd(Vector512.Create(a), Vector512.Load(x + k), Vector512.Load(target + k)).Store(target + k);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            for (; k + Vector256<float>.Count <= d; k += Vector256<float>.Count)
            {
                Vector256.FusedMultiplyAdd(Vector256.Create(a), Vector256.Load(x + k), Vector256.Load(target + k)).Store(target + k);
            }
        }

        for (; k < d; k++)
        {
            target[k] = MathF.FusedMultiplyAdd(a, x[k], target[k]);
        }
    }

    /// <summary>Both passes over managed arrays at a given width, on the blocks a run uses (tests run every width).</summary>
    internal static unsafe (float[] Scores, float[] Du, float[] Dv, float[] Dp) Passes(SimdWidth width, float[] u, float[] v, float[] p, float[] g, int d, int bases, int threads)
    {
        long n = u.Length / d;
        var s = new float[n * bases];
        var du = new float[u.Length];
        var dv = new float[v.Length];
        var dp = new float[p.Length];
        float[] pt = Transposed(p, d, bases);
        fixed (float* up = u, vp = v, pp = p, ptp = pt, gp = g, sp = s, dup = du, dvp = dv, dpp = dp)
        {
            Forward(width, up, vp, pp, sp, 0, n, d, bases);
            BackwardInBlocks(width, (nint)up, (nint)vp, (nint)pp, (nint)ptp, (nint)gp, (nint)dup, (nint)dvp, (nint)dpp, n, d, bases, threads);
        }

        return (s, du, dv, dp);
    }

    // Each P_b transposed: [B, d, d].
    private static float[] Transposed(ReadOnlySpan<float> p, int d, int bases)
    {
        var pt = new float[p.Length];
        for (int b = 0; b < bases; b++)
        {
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < d; k++)
                {
                    pt[(b * d * d) + (k * d) + j] = p[(b * d * d) + (j * d) + k];
                }
            }
        }

        return pt;
    }

    // The backward over [0, n) in blocks; each block's dP partial is added into dp in block order.
    private static unsafe void BackwardInBlocks(SimdWidth width, nint u, nint v, nint p, nint pt, nint g, nint du, nint dv, nint dp, long n, int d, int bases, int threads)
    {
        long blocks = (n + BlockRows - 1) / BlockRows;
        int size = bases * d * d;
        var partials = new float[blocks * size];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, block =>
        {
            fixed (float* partial = &partials[block * size])
            {
                Backward(width, (float*)u, (float*)v, (float*)p, (float*)pt, (float*)g, (float*)du, (float*)dv, partial,
                    block * BlockRows, Math.Min(n, (block + 1) * BlockRows), d, bases);
            }
        });
        var total = new Span<float>((float*)dp, size);
        for (long block = 0; block < blocks; block++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(total, partials.AsSpan((int)(block * size), size), total);
        }
    }

    private sealed class Function : torch.autograd.SingleTensorFunction<Function>
    {
        private const string SavedKey = "saved";

        public override string Name => nameof(BasisScores);

        public override unsafe Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            int threads = (int)vars[0];
            Tensor users = ((Tensor)vars[1]).detach().contiguous(), movies = ((Tensor)vars[2]).detach().contiguous(), bases = ((Tensor)vars[3]).detach().contiguous();
            long n = users.shape[0];
            int d = (int)users.shape[1], count = (int)bases.shape[0];
            Tensor scores = empty(n, count, ScalarType.Float32);
            fixed (byte* up = users.bytes, vp = movies.bytes, pp = bases.bytes, sp = scores.bytes)
            {
                var (us, vs, ps, ss) = ((nint)up, (nint)vp, (nint)pp, (nint)sp);
                Parallel.For(0, (n + BlockRows - 1) / BlockRows, new ParallelOptions { MaxDegreeOfParallelism = threads }, block =>
                    Forward(SimdWidths.Best, (float*)us, (float*)vs, (float*)ps, (float*)ss, block * BlockRows, Math.Min(n, (block + 1) * BlockRows), d, count));
            }

            // In a holder: TorchSharp prints a warning for tensors put in save_data. The caller's scope keeps them alive.
            ctx.save_data(SavedKey, new Saved(threads, users, movies, bases));
            return scores;
        }

        public override unsafe List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (int threads, Tensor users, Tensor movies, Tensor bases) = (Saved)ctx.get_data(SavedKey);
            using Tensor g = grad_output.contiguous();
            int d = (int)users.shape[1], count = (int)bases.shape[0];
            Tensor du = empty_like(users), dv = empty_like(movies), dp = zeros_like(bases);
            float[] pt = Transposed(bases.data<float>().ToArray(), d, count);
            fixed (byte* up = users.bytes, vp = movies.bytes, pp = bases.bytes, gp = g.bytes, dup = du.bytes, dvp = dv.bytes, dpp = dp.bytes)
            fixed (float* ptp = pt)
            {
                BackwardInBlocks(SimdWidths.Best, (nint)up, (nint)vp, (nint)pp, (nint)ptp, (nint)gp, (nint)dup, (nint)dvp, (nint)dpp, users.shape[0], d, count, threads);
            }

            return [null!, du, dv, dp];
        }

        private sealed record Saved(int Threads, Tensor Users, Tensor Movies, Tensor Bases);
    }
}
