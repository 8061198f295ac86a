using System.Numerics.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// P·X with P = (1/(K+1)) Σ_{k=0..K} A^k for a symmetric A (LightGCN's mean over its propagation layers), as one
/// autograd function: P is linear and symmetric, so its backward is P·G and nothing is saved for it. Composed of torch
/// ops, every layer, every partial sum and each of their gradients was a fresh table (at Netflix size 127 MB each, all
/// living until the step ended, every page faulted in and zeroed by the kernel); here one product runs at a time through
/// two scratch tables kept between steps, and each direction allocates only its result. The additions and the division
/// are the composition's, in its order (forward ((X + AX) + A²X) / (K+1); backward, as autograd accumulates it,
/// h + A(h + A·h) with h = G/(K+1)); the tests hold both directions to the composition within 10⁻⁶ relative (torch may
/// divide by K+1 as a multiplication by its reciprocal).
/// </summary>
internal sealed class LayerMeanProduct
{
    private readonly INativeProduct _kernel;
    private readonly int _layers;
    private readonly int _threads;
    // Pinned, so the kernels can read and write them through pointers between the fixed blocks.
    private float[] _current = [];
    private float[] _next = [];

    public LayerMeanProduct(INativeProduct kernel, int layers, int threads)
    {
        _kernel = kernel;
        _layers = layers;
        _threads = Math.Max(1, threads);
    }

    public int Layers => _layers;

    /// <summary>P·X, differentiable with respect to X (2-D float32, CPU).</summary>
    public Tensor Multiply(Tensor x) => Function.apply(this, x);

    private unsafe Tensor Forward(Tensor x)
    {
        using Tensor input = Checked(x);
        int length = (int)input.numel(), columns = (int)input.shape[1];
        Tensor output = empty_like(input);
        EnsureScratch(length);
        fixed (byte* xBytes = input.bytes)
        fixed (byte* yBytes = output.bytes)
        fixed (float* current = _current, next = _next)
        {
            var (sum, layer, previous) = ((nint)yBytes, (nint)current, (nint)next);
            new ReadOnlySpan<float>(xBytes, length).CopyTo(new Span<float>(yBytes, length));
            nint source = (nint)xBytes;
            for (int k = 0; k < _layers; k++)
            {
                _kernel.Multiply(source, length, layer, length, columns);
                ForChunks(length, (from, count) => TensorPrimitives.Add(At(sum, from, count), At(layer, from, count), At(sum, from, count)));
                source = layer;
                (layer, previous) = (previous, layer);
            }

            float divisor = _layers + 1;
            ForChunks(length, (from, count) => TensorPrimitives.Divide(At(sum, from, count), divisor, At(sum, from, count)));
        }

        return output;
    }

    private unsafe Tensor Backward(Tensor gradient)
    {
        using Tensor g = Checked(gradient);
        int length = (int)g.numel(), columns = (int)g.shape[1];
        Tensor output = empty_like(g);
        EnsureScratch(length);
        fixed (byte* gBytes = g.bytes)
        fixed (byte* yBytes = output.bytes)
        fixed (float* hFloats = _current, productFloats = _next)
        {
            // h = G/(K+1), y = h; then K times y ← h + A·y.
            var (h, product, y) = ((nint)hFloats, (nint)productFloats, (nint)yBytes);
            nint source = (nint)gBytes;
            float divisor = _layers + 1;
            ForChunks(length, (from, count) => TensorPrimitives.Divide(At(source, from, count), divisor, At(h, from, count)));
            new ReadOnlySpan<float>(hFloats, length).CopyTo(new Span<float>(yBytes, length));
            for (int k = 0; k < _layers; k++)
            {
                _kernel.Multiply(y, length, product, length, columns);
                ForChunks(length, (from, count) => TensorPrimitives.Add(At(h, from, count), At(product, from, count), At(y, from, count)));
            }
        }

        return output;
    }

    private void EnsureScratch(int length)
    {
        if (_current.Length != length)
        {
            _current = GC.AllocateUninitializedArray<float>(length, pinned: true);
            _next = GC.AllocateUninitializedArray<float>(length, pinned: true);
        }
    }

    private static Tensor Checked(Tensor x)
    {
        if (x.dtype != ScalarType.Float32 || x.dim() != 2 || x.numel() > int.MaxValue)
        {
            throw new ArgumentException($"P·X: X must be a 2-D float32 tensor of at most {int.MaxValue} values, got {x.dtype} with {x.dim()} dimensions");
        }

        return x.detach().contiguous();
    }

    private static unsafe Span<float> At(nint buffer, int from, int count) => new((float*)buffer + from, count);

    // An element-wise operation in chunks across the threads (each chunk independent, so the result is the same).
    private void ForChunks(int length, Action<int, int> body)
    {
        const int Chunk = 1 << 18;
        Parallel.For(0, (length + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = _threads }, c =>
            body(c * Chunk, Math.Min(Chunk, length - (c * Chunk))));
    }

    private sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        private const string ProductKey = "product";

        public override string Name => nameof(LayerMeanProduct);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var product = (LayerMeanProduct)vars[0];
            ctx.save_data(ProductKey, product);
            return product.Forward((Tensor)vars[1]);
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            [null!, ((LayerMeanProduct)ctx.get_data(ProductKey)).Backward(grad_output)];
    }
}
