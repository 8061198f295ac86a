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

    /// <summary>
    /// (P·X)[nodes] for int64 node ids (repeats allowed), differentiable with respect to X: the floats of P·X followed by
    /// index_select, forward and backward. A training step wants only its batch's rows, and on a bipartite kernel
    /// (<see cref="BipartiteSymmetricKernel"/>) two of the 2K half-products can then skip most users: the last layer's user
    /// rows are gathered for the batch's users only, and the backward's first product pushes the movie rows from the
    /// batch's users only (the gradient's other user rows are zero).
    /// </summary>
    public Tensor MultiplyRows(Tensor x, Tensor nodes) =>
        _kernel is BipartiteSymmetricKernel ? RowsFunction.apply(this, x, nodes) : Multiply(x).index_select(0, nodes);

    private unsafe Tensor ForwardRows(Tensor x, SelectedNodes selected)
    {
        using Tensor input = Checked(x);
        var kernel = (BipartiteSymmetricKernel)_kernel;
        int length = (int)input.numel(), columns = (int)input.shape[1];
        long[] ids = selected.Ids;
        Tensor output = empty(ids.Length, columns);
        EnsureScratch(length);
        fixed (byte* xBytes = input.bytes)
        fixed (byte* yBytes = output.bytes)
        fixed (float* current = _current, next = _next)
        {
            // Each selected row adds its layers' rows as P·X's sum does, in its order: ((X + AX) + A²X) / (K+1).
            var (x0, y, layer, previous) = ((nint)xBytes, (nint)yBytes, (nint)current, (nint)next);
            ForSelected(ids.Length, i => At(x0, ids[i] * columns, columns).CopyTo(At(y, i * columns, columns)));
            nint source = x0;
            for (int k = 1; k <= _layers; k++)
            {
                if (k < _layers)
                {
                    _kernel.Multiply(source, length, layer, length, columns);
                }
                else
                {
                    kernel.MultiplyForUsers(source, length, layer, length, columns, selected.Users);
                }

                nint added = layer;
                ForSelected(ids.Length, i => TensorPrimitives.Add(At(y, i * columns, columns), At(added, ids[i] * columns, columns), At(y, i * columns, columns)));
                source = layer;
                (layer, previous) = (previous, layer);
            }

            float divisor = _layers + 1;
            ForSelected(ids.Length, i => TensorPrimitives.Divide(At(y, i * columns, columns), divisor, At(y, i * columns, columns)));
        }

        return output;
    }

    private unsafe Tensor BackwardRows(Tensor gradient, SelectedNodes selected, long nodes)
    {
        using Tensor g = gradient.detach().contiguous();
        var kernel = (BipartiteSymmetricKernel)_kernel;
        int columns = (int)g.shape[1], length = checked((int)(nodes * columns));
        long[] ids = selected.Ids;
        Tensor output = empty(nodes, columns);
        EnsureScratch(length);
        fixed (byte* gBytes = g.bytes)
        fixed (byte* yBytes = output.bytes)
        fixed (float* hFloats = _current, productFloats = _next)
        {
            // G = zeros.index_add_(0, ids, g) as index_select's backward takes it (in the ids' order, so repeated rows sum
            // as torch sums them), then h = G/(K+1) on the rows it touched (the others stay +0), and y ← h + A·y K times
            // from y = h, the first product pushing from the touched users only.
            var (source, h, product, y) = ((nint)gBytes, (nint)hFloats, (nint)productFloats, (nint)yBytes);
            new Span<float>(hFloats, length).Clear();
            for (int i = 0; i < ids.Length; i++)
            {
                TensorPrimitives.Add(At(h, ids[i] * columns, columns), At(source, i * columns, columns), At(h, ids[i] * columns, columns));
            }

            float divisor = _layers + 1;
            long[] distinct = selected.Distinct;
            ForSelected(distinct.Length, i => TensorPrimitives.Divide(At(h, distinct[i] * columns, columns), divisor, At(h, distinct[i] * columns, columns)));
            if (_layers == 0)
            {
                new ReadOnlySpan<float>(hFloats, length).CopyTo(new Span<float>((void*)y, length));
            }

            for (int k = 0; k < _layers; k++)
            {
                if (k == 0)
                {
                    kernel.MultiplyFromUsers(h, length, product, length, columns, selected.Users);
                }
                else
                {
                    _kernel.Multiply(y, length, product, length, columns);
                }

                ForChunks(length, (from, count) => TensorPrimitives.Add(At(h, from, count), At(product, from, count), At(y, from, count)));
            }
        }

        return output;
    }

    // The selected node ids in order, the distinct ones, and the distinct users among them ascending (the kernels' order).
    private sealed record SelectedNodes(long[] Ids, long[] Distinct, int[] Users)
    {
        public static SelectedNodes Of(Tensor nodes, long rows, int split)
        {
            if (nodes.dtype != ScalarType.Int64 || nodes.dim() != 1)
            {
                throw new ArgumentException($"(P·X)[nodes]: nodes must be a 1-D int64 tensor, got {nodes.dtype} with {nodes.dim()} dimensions");
            }

            long[] ids = nodes.data<long>().ToArray();
            var seen = new bool[rows];
            var distinct = new List<long>();
            foreach (long id in ids)
            {
                if ((ulong)id >= (ulong)rows)
                {
                    throw new ArgumentOutOfRangeException(nameof(nodes), $"node {id} outside P's {rows} rows");
                }

                if (!seen[id])
                {
                    seen[id] = true;
                    distinct.Add(id);
                }
            }

            int[] users = [.. distinct.Where(id => id < split).Select(id => (int)id).Order()];
            return new SelectedNodes(ids, [.. distinct], users);
        }
    }

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

    private static unsafe Span<float> At(nint buffer, long from, int count) => new((float*)buffer + from, count);

    // Per selected row, across the threads (each row written by one call, so the result is the same).
    private void ForSelected(int count, Action<int> body)
    {
        const int RowsPerPart = 1024;
        Parallel.For(0, (count + RowsPerPart - 1) / RowsPerPart, new ParallelOptions { MaxDegreeOfParallelism = _threads }, part =>
        {
            for (int i = part * RowsPerPart; i < Math.Min(count, (part + 1) * RowsPerPart); i++)
            {
                body(i);
            }
        });
    }

    // An element-wise operation in chunks across the threads (each chunk independent, so the result is the same).
    private void ForChunks(int length, Action<int, int> body)
    {
        const int Chunk = 1 << 18;
        Parallel.For(0, (length + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = _threads }, c =>
            body(c * Chunk, Math.Min(Chunk, length - (c * Chunk))));
    }

    private sealed class RowsFunction : TorchSharp.torch.autograd.SingleTensorFunction<RowsFunction>
    {
        private const string SelectedKey = "selected";

        public override string Name => nameof(LayerMeanProduct) + "Rows";

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var product = (LayerMeanProduct)vars[0];
            var x = (Tensor)vars[1];
            var selected = SelectedNodes.Of((Tensor)vars[2], x.shape[0], ((BipartiteSymmetricKernel)product._kernel).Split);
            ctx.save_data(SelectedKey, (product, selected, x.shape[0]));
            return product.ForwardRows(x, selected);
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            var (product, selected, nodes) = ((LayerMeanProduct, SelectedNodes, long))ctx.get_data(SelectedKey);
            return [null!, product.BackwardRows(grad_output, selected, nodes), null!];
        }
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
