using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// dropout(relu(x)) as one differentiable operation whose masks come from a counter-based generator: unit i of the k-th
/// call keeps with probability 1 − p according to a hash of (seed, stream, k, i), computed where it is used, in parallel,
/// with the same masks whatever the thread count or CPU. Composed of torch ops on the CPU (relu, dropout's Bernoulli noise,
/// its division and a product) it holds four tables the size of x through the step — 123 MB each for GC-MC's users at
/// Netflix size — its backward builds two more, all freshly mapped, faulted in and zeroed by the kernel every step, and
/// torch draws the noise on one thread (on AMD CPUs; MKL's different draws on Intel's). Here one pass writes the output
/// y = x·s where x &gt; 0 and the unit is kept, else 0, with torch's scale s = 1/(1 − p) in float (x·s, s ≥ 1, cannot
/// round to zero), so the backward needs only y: ∂L/∂x = y &gt; 0 ? g·s : 0, written into a buffer kept between steps.
/// The floats for a given mask are torch's (relu, then the product with the noise). On another device, outside training
/// or with p = 0, it is torch's relu and dropout.
/// </summary>
internal sealed class ReluDropout(Device device, int threads, int seed, int stream) : IDisposable
{
    private const int BlockValues = 1 << 16;

    private readonly KeptBuffer _buffer = new(device);
    private long _calls;

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
    internal static unsafe void Passes(SimdWidth width, float[] x, float[] y, float[] g, float[] gx, float scale, uint first, uint second, uint dropBelow)
    {
        fixed (float* xp = x, yp = y, gp = g, gxp = gx)
        {
            Forward(width, xp, yp, scale, first, second, dropBelow, 0, x.Length);
            Backward(width, yp, gp, gxp, scale, 0, x.Length);
        }
    }

    /// <summary>The hash keys of one call: a 64-bit mix of the run's seed, the stream and the call's number.</summary>
    internal static (uint First, uint Second) CallKeys(int seed, int stream, long call)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)(uint)stream << 20) ^ (ulong)call);
        // SplitMix64's finalizer.
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return ((uint)z, (uint)(z >> 32));
    }

    /// <summary>Units whose 24-bit draw is below this are dropped: p·2²⁴, rounded.</summary>
    internal static uint DropBelow(double p) => (uint)Math.Round(p * (1 << 24));

    /// <summary>Unit i's 32-bit draw: MurmurHash3's finalizer, twice, keyed (a bijection of i for fixed keys).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Draw(uint i, uint first, uint second) => Mix(Mix(i ^ first) + second);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h = unchecked(h * 0x85EBCA6Bu);
        h ^= h >> 13;
        h = unchecked(h * 0xC2B2AE35u);
        return h ^ (h >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Mix(Vector512<uint> h)
    {
        h ^= Vector512.ShiftRightLogical(h, 16);
        h *= Vector512.Create(0x85EBCA6Bu);
        h ^= Vector512.ShiftRightLogical(h, 13);
        h *= Vector512.Create(0xC2B2AE35u);
        return h ^ Vector512.ShiftRightLogical(h, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Mix(Vector256<uint> h)
    {
        h ^= Vector256.ShiftRightLogical(h, 16);
        h *= Vector256.Create(0x85EBCA6Bu);
        h ^= Vector256.ShiftRightLogical(h, 13);
        h *= Vector256.Create(0xC2B2AE35u);
        return h ^ Vector256.ShiftRightLogical(h, 16);
    }

    /// <summary>y = x &gt; 0 and unit i kept ? x·s : 0 over [from, to).</summary>
    internal static unsafe void Forward(SimdWidth width, float* x, float* y, float scale, uint first, uint second, uint dropBelow, long from, long to)
    {
        long i = from;
        if (width == SimdWidth.Vector512)
        {
            Vector512<float> s = Vector512.Create(scale);
            Vector512<uint> lanes = Vector512.CreateSequence(0u, 1u), threshold = Vector512.Create(dropBelow);
            for (; i + Vector512<float>.Count <= to; i += Vector512<float>.Count)
            {
                Vector512<uint> draw = Mix(Mix((Vector512.Create((uint)i) + lanes) ^ Vector512.Create(first)) + Vector512.Create(second));
                Vector512<float> kept = Vector512.GreaterThanOrEqual(Vector512.ShiftRightLogical(draw, 8), threshold).AsSingle();
                Vector512<float> v = Vector512.Load(x + i);
                (kept & Vector512.GreaterThan(v, Vector512<float>.Zero) & (v * s)).Store(y + i);
            }
        }
        else if (width == SimdWidth.Vector256)
        {
            Vector256<float> s = Vector256.Create(scale);
            Vector256<uint> lanes = Vector256.CreateSequence(0u, 1u), threshold = Vector256.Create(dropBelow);
            for (; i + Vector256<float>.Count <= to; i += Vector256<float>.Count)
            {
                Vector256<uint> draw = Mix(Mix((Vector256.Create((uint)i) + lanes) ^ Vector256.Create(first)) + Vector256.Create(second));
                Vector256<float> kept = Vector256.GreaterThanOrEqual(Vector256.ShiftRightLogical(draw, 8), threshold).AsSingle();
                Vector256<float> v = Vector256.Load(x + i);
                (kept & Vector256.GreaterThan(v, Vector256<float>.Zero) & (v * s)).Store(y + i);
            }
        }

        for (; i < to; i++)
        {
            bool kept = Draw((uint)i, first, second) >> 8 >= dropBelow;
            y[i] = kept && x[i] > 0 ? x[i] * scale : 0;
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
            long n = input.numel();
            if (n > uint.MaxValue)
            {
                throw new ArgumentException($"dropout: {n} units exceed the generator's 2³² per call");
            }

            float scale = KeptScale(p);
            uint dropBelow = DropBelow(p);
            (uint first, uint second) = CallKeys(owner._seed, owner._stream, owner._calls++);
            Tensor y = empty_like(input);
            fixed (byte* xp = input.bytes, yp = y.bytes)
            {
                var (xs, ys) = ((nint)xp, (nint)yp);
                InBlocks(n, owner.Threads, (from, to) => Forward(SimdWidths.Best, (float*)xs, (float*)ys, scale, first, second, dropBelow, from, to));
            }

            // In a holder: TorchSharp prints a warning for tensors put in save_data. The caller's scope keeps y alive.
            ctx.save_data(SavedKey, new Saved(owner, y, scale));
            return y;
        }

        public override unsafe List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (ReluDropout owner, Tensor y, float scale) = (Saved)ctx.get_data(SavedKey);
            using Tensor g = grad_output.contiguous();
            // Kept between steps: the gradient is consumed by the next function back within the step.
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

    private readonly int _seed = seed;
    private readonly int _stream = stream;

    private int Threads { get; } = Math.Max(1, threads);
}
