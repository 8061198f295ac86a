using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// dropout(relu(x)) as one differentiable operation with torch's floats and torch's draws. Composed of torch ops on the
/// CPU (relu, then dropout's Bernoulli noise, its division and a product) it holds four tables the size of x through the
/// step — x, relu's result, the noise and the product, 123 MB each for GC-MC's users at Netflix size — and its backward
/// builds two more, all freshly mapped, faulted in and zeroed by the kernel every step. Here the noise is drawn into a
/// buffer kept between steps (the same <c>bernoulli_</c> call on the same generator, so the same draws), one pass writes
/// the output, and the backward needs only that output: y &gt; 0 exactly where x &gt; 0 and the unit was kept (x·s with
/// s = 1/(1 − p) ≥ 1 cannot round to zero), so ∂L/∂x = y &gt; 0 ? g·s : 0 is written into the same kept buffer. On
/// another device, outside training or with p = 0, it is torch's relu and dropout.
/// </summary>
internal sealed class ReluDropout(Device device, int threads) : IDisposable
{
    private const int BlockValues = 1 << 16;

    private readonly KeptBuffer _buffer = new(device);

    /// <summary>dropout(relu(x), p) in training, relu(x) otherwise.</summary>
    public Tensor Apply(Tensor x, double p, bool training)
    {
        if (!training || p == 0 || x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32)
        {
            using Tensor activated = nn.functional.relu(x);
            return nn.functional.dropout(activated, p, training);
        }

        return Function.apply(this, x, p);
    }

    public void Dispose() => _buffer.Dispose();

    /// <summary>Both passes over managed arrays at a given width (tests run every width).</summary>
    internal static unsafe void Passes(SimdWidth width, float[] x, float[] kept, float[] y, float[] g, float[] gx, float scale)
    {
        fixed (float* xp = x, kp = kept, yp = y, gp = g, gxp = gx)
        {
            Forward(width, xp, kp, yp, scale, 0, x.Length);
            Backward(width, yp, gp, gxp, scale, 0, x.Length);
        }
    }

    /// <summary>y = x &gt; 0 and kept ≠ 0 ? x·s : 0 over [from, to).</summary>
    internal static unsafe void Forward(SimdWidth width, float* x, float* kept, float* y, float scale, long from, long to)
    {
        long i = from;
        if (width == SimdWidth.Vector512)
        {
            Vector512<float> s = Vector512.Create(scale);
            for (; i + Vector512<float>.Count <= to; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.Load(x + i);
                Vector512<float> keep = Vector512.GreaterThan(v, Vector512<float>.Zero) & ~Vector512.Equals(Vector512.Load(kept + i), Vector512<float>.Zero);
                (keep & (v * s)).Store(y + i);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            Vector256<float> s = Vector256.Create(scale);
            for (; i + Vector256<float>.Count <= to; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.Load(x + i);
                Vector256<float> keep = Vector256.GreaterThan(v, Vector256<float>.Zero) & ~Vector256.Equals(Vector256.Load(kept + i), Vector256<float>.Zero);
                (keep & (v * s)).Store(y + i);
            }
        }

        for (; i < to; i++)
        {
            y[i] = x[i] > 0 && kept[i] != 0 ? x[i] * scale : 0;
        }
    }

    /// <summary>gx = y &gt; 0 ? g·s : 0 over [from, to).</summary>
    internal static unsafe void Backward(SimdWidth width, float* y, float* g, float* gx, float scale, long from, long to)
    {
        long i = from;
        if (width == SimdWidth.Vector512)
        {
            Vector512<float> s = Vector512.Create(scale);
            for (; i + Vector512<float>.Count <= to; i += Vector512<float>.Count)
            {
                Vector512<float> passed = Vector512.GreaterThan(Vector512.Load(y + i), Vector512<float>.Zero);
                (passed & (Vector512.Load(g + i) * s)).Store(gx + i);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            Vector256<float> s = Vector256.Create(scale);
            for (; i + Vector256<float>.Count <= to; i += Vector256<float>.Count)
            {
                Vector256<float> passed = Vector256.GreaterThan(Vector256.Load(y + i), Vector256<float>.Zero);
                (passed & (Vector256.Load(g + i) * s)).Store(gx + i);
            }
        }

        for (; i < to; i++)
        {
            gx[i] = y[i] > 0 ? g[i] * scale : 0;
        }
    }

    /// <summary>The value torch's dropout gives a kept unit of value 1: its noise 1 divided by 1 − p, in float.</summary>
    internal static float KeptScale(double p)
    {
        using Tensor one = ones(1, ScalarType.Float32);
        using Tensor scaled = one.div_(1 - p);
        return scaled.item<float>();
    }

    // Over [0, n) in blocks on up to `threads` threads; each block is independent, so the result does not depend on them.
    private static void InBlocks(long n, int threads, Action<long, long> block) =>
        Parallel.For(0, (n + BlockValues - 1) / BlockValues, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            b => block(b * BlockValues, Math.Min(n, (b + 1) * BlockValues)));

    private sealed class Function : torch.autograd.SingleTensorFunction<Function>
    {
        private const string SavedKey = "saved";

        public override string Name => nameof(ReluDropout);

        public override unsafe Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var owner = (ReluDropout)vars[0];
            var x = (Tensor)vars[1];
            var p = (double)vars[2];
            using Tensor input = x.detach().contiguous();
            using Tensor kept = owner._buffer.View(x.shape);
            kept.bernoulli_(1 - p);
            float scale = KeptScale(p);
            Tensor y = empty_like(input);
            long n = input.numel();
            fixed (byte* xp = input.bytes, kp = kept.bytes, yp = y.bytes)
            {
                var (xs, ks, ys) = ((nint)xp, (nint)kp, (nint)yp);
                InBlocks(n, threads: owner.Threads, (from, to) => Forward(SimdWidths.Best, (float*)xs, (float*)ks, (float*)ys, scale, from, to));
            }

            // In a holder: TorchSharp prints a warning for tensors put in save_data. The caller's scope keeps y alive.
            ctx.save_data(SavedKey, new Saved(owner, y, scale));
            return y;
        }

        public override unsafe List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (ReluDropout owner, Tensor y, float scale) = (Saved)ctx.get_data(SavedKey);
            using Tensor g = grad_output.contiguous();
            // The noise is spent: its buffer takes the gradient, which lives until the next step draws into it again.
            Tensor gx = owner._buffer.View(y.shape);
            long n = y.numel();
            fixed (byte* yp = y.bytes, gp = g.bytes, gxp = gx.bytes)
            {
                var (ys, gs, gxs) = ((nint)yp, (nint)gp, (nint)gxp);
                InBlocks(n, owner.Threads, (from, to) => Backward(SimdWidths.Best, (float*)ys, (float*)gs, (float*)gxs, scale, from, to));
            }

            return [null!, gx, null!];
        }

        private sealed record Saved(ReluDropout Owner, Tensor Y, float Scale);
    }

    private int Threads { get; } = Math.Max(1, threads);
}
