using NetflixRec.Training.Models.Torch;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// A sage layer's input over one sampled block, [h_v ‖ mean_j h_j ‖ mean_j (r_vj − μ)·h_j] for the block's destinations
/// v (the first rows of H), as one autograd function over host memory. Composed of torch ops it was two sparse products
/// over the same pattern (each reading every sampled neighbor's row), two transposes of that pattern per step for
/// their backward, a concatenation and its split, and autograd's sum of three gradients of H; here one pass reads each
/// sampled row once for both means, one counting sort transposes the pattern with both weights, and the backward writes
/// each source row's gradient once. The forward floats are the separate products' (same order per row); the backward
/// adds the two means' terms edge by edge, so its floats differ from the composition's only in rounding.
/// </summary>
internal sealed class SageAggregation
{
    private readonly SampledBlock _block;
    private readonly int _threads;
    private readonly int[] _rowChunks;

    // The pattern transposed (sources × destinations, mean weights) with the centered stars in the same order: built at
    // the first backward, so inference never pays for it.
    private SparseMatrix? _transposed;
    private float[] _transposedStars = [];
    private int[] _sourceChunks = [];

    public SageAggregation(SampledBlock block, int threads)
    {
        _block = block;
        _threads = Math.Max(1, threads);
        _rowChunks = SparseKernel.Partition(block.Mean, _threads * 8);
    }

    /// <summary>[H[v] ‖ Mean·H ‖ CenteredStars·H] for the destinations v (H: sources × d, float32, CPU), differentiable in H.</summary>
    public Tensor Apply(Tensor h) => Function.apply(this, h);

    private unsafe Tensor Forward(Tensor h)
    {
        using Tensor input = Checked(h, _block.Sources.Length, "H");
        int d = (int)input.shape[1];
        Tensor output = empty(_block.Destinations, 3 * d, ScalarType.Float32);
        fixed (byte* x = input.bytes, y = output.bytes)
        {
            NativeProduct.InParts(_rowChunks.Length - 1, _threads, (nint)x, input.numel(), (nint)y, output.numel(), d, ForwardChunk);
        }

        return output;
    }

    private unsafe Tensor Backward(Tensor g)
    {
        int sources = _block.Sources.Length;
        using Tensor upstream = Checked(g, _block.Destinations, "the gradient");
        int d = (int)upstream.shape[1] / 3;
        if (_transposed is null)
        {
            (_transposed, _transposedStars) = SparseKernel.Transpose(_block.Mean, _block.CenteredStars.Values.Span);
            _sourceChunks = SparseKernel.Partition(_transposed, _threads * 8);
        }

        Tensor gradient = empty(sources, d, ScalarType.Float32);
        fixed (byte* x = upstream.bytes, y = gradient.bytes)
        {
            NativeProduct.InParts(_sourceChunks.Length - 1, _threads, (nint)x, upstream.numel(), (nint)y, gradient.numel(), d, BackwardChunk);
        }

        return gradient;
    }

    // Destination rows of one chunk: the row's own vector, then both means in one pass over its sampled neighbors.
    private void ForwardChunk(int chunk, ReadOnlySpan<float> h, Span<float> output, int d)
    {
        ReadOnlySpan<long> offsets = _block.Mean.RowOffsets.Span;
        ReadOnlySpan<int> sources = _block.Mean.Columns.Span;
        ReadOnlySpan<float> weights = _block.Mean.Values.Span;
        ReadOnlySpan<float> stars = _block.CenteredStars.Values.Span;
        for (int r = _rowChunks[chunk]; r < _rowChunks[chunk + 1]; r++)
        {
            Span<float> row = output.Slice(r * 3 * d, 3 * d);
            h.Slice(r * d, d).CopyTo(row);
            Span<float> mean = row.Slice(d, d), starMean = row.Slice(2 * d, d);
            mean.Clear();
            starMean.Clear();
            long end = offsets[r + 1];
            for (long e = offsets[r]; e < end; e++)
            {
                if (e + SparseKernel.PrefetchDistance < end)
                {
                    ScaledRowAdd.Prefetch(h, sources[(int)e + SparseKernel.PrefetchDistance] * d, d);
                }

                ReadOnlySpan<float> neighbor = h.Slice(sources[(int)e] * d, d);
                ScaledRowAdd.Apply(neighbor, weights[(int)e], mean);
                ScaledRowAdd.Apply(neighbor, stars[(int)e], starMean);
            }
        }
    }

    // Source rows of one chunk: the own-vector gradient for a destination, then every sampled edge's two terms.
    private void BackwardChunk(int chunk, ReadOnlySpan<float> g, Span<float> output, int d)
    {
        SparseMatrix transposed = _transposed!;
        ReadOnlySpan<long> offsets = transposed.RowOffsets.Span;
        ReadOnlySpan<int> destinations = transposed.Columns.Span;
        ReadOnlySpan<float> weights = transposed.Values.Span;
        ReadOnlySpan<float> stars = _transposedStars;
        int own = _block.Destinations;
        for (int c = _sourceChunks[chunk]; c < _sourceChunks[chunk + 1]; c++)
        {
            Span<float> row = output.Slice(c * d, d);
            if (c < own)
            {
                g.Slice(c * 3 * d, d).CopyTo(row);
            }
            else
            {
                row.Clear();
            }

            long end = offsets[c + 1];
            for (long e = offsets[c]; e < end; e++)
            {
                if (e + SparseKernel.PrefetchDistance < end)
                {
                    ScaledRowAdd.Prefetch(g, (destinations[(int)e + SparseKernel.PrefetchDistance] * 3 * d) + d, 2 * d);
                }

                int at = destinations[(int)e] * 3 * d;
                ScaledRowAdd.Apply(g.Slice(at + d, d), weights[(int)e], row);
                ScaledRowAdd.Apply(g.Slice(at + (2 * d), d), stars[(int)e], row);
            }
        }
    }

    private static Tensor Checked(Tensor t, int rows, string what)
    {
        if (t.dtype != ScalarType.Float32 || t.dim() != 2 || t.shape[0] != rows || t.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new ArgumentException($"sage aggregation: {what} must be a 2-D float32 CPU tensor of {rows} rows, got {t.dtype} [{string.Join(", ", t.shape)}] on {t.device}");
        }

        return t.detach().contiguous();
    }

    private sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        private const string AggregationKey = "aggregation";

        public override string Name => nameof(SageAggregation);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var aggregation = (SageAggregation)vars[0];
            ctx.save_data(AggregationKey, aggregation);
            return aggregation.Forward((Tensor)vars[1]);
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            [null!, ((SageAggregation)ctx.get_data(AggregationKey)).Backward(grad_output)];
    }
}
