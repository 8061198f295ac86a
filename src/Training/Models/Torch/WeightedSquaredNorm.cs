using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Σ_r w_r ‖x_r‖² over the rows of a CPU table, differentiable with respect to x (∂/∂x_r = 2 w_r x_r): the masked
/// autoencoders' penalty on the table rows a batch gathered, each weighted by its ratings in the batch. torch's
/// <c>((x.square().sum(1)) * w).sum()</c> builds the squares and, backward, two or three products the size of x, each
/// fresh memory the kernel faults in and zeroes (32 MB per table per step for item-based AutoRec at full); here the forward
/// reads x once and the backward writes its gradient once. Rows are summed in fixed parts, so the result does not depend
/// on the thread count; it differs from torch's in the order the squares are added.
/// </summary>
internal static class WeightedSquaredNorm
{
    private const int RowsPerPart = 1024;

    /// <summary>Σ_r w_r ‖x_r‖² as a scalar tensor; x is [rows, d] float32, w [rows] float32 (not differentiated).</summary>
    public static Tensor Apply(Tensor x, Tensor weights, int threads) => Function.apply(Math.Max(1, threads), x, weights);

    private static unsafe float Forward(Tensor x, Tensor weights, int threads)
    {
        long rows = x.shape[0];
        int width = (int)x.shape[1];
        int parts = (int)((rows + RowsPerPart - 1) / RowsPerPart);
        var partial = new double[parts];
        fixed (byte* xb = x.bytes, wb = weights.bytes)
        {
            var (xs, ws) = ((nint)xb, (nint)wb);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                double sum = 0;
                for (long r = (long)part * RowsPerPart; r < Math.Min(rows, (long)(part + 1) * RowsPerPart); r++)
                {
                    float* row = (float*)xs + (r * width);
                    sum += (double)((float*)ws)[r] * SampledDotProduct.RowDot(SimdWidths.Best, row, row, width);
                }

                partial[part] = sum;
            });
        }

        double total = 0;
        foreach (double p in partial)
        {
            total += p;
        }

        return (float)total;
    }

    // Writes 2·upstream·w_r·x_r into gradient, or adds it there (a kept gradient).
    private static unsafe void Backward(Tensor x, Tensor weights, float upstream, Tensor gradient, bool add, int threads)
    {
        long rows = x.shape[0];
        int width = (int)x.shape[1];
        fixed (byte* xb = x.bytes, wb = weights.bytes, gb = gradient.bytes)
        {
            var (xs, ws, gs) = ((nint)xb, (nint)wb, (nint)gb);
            int parts = (int)((rows + RowsPerPart - 1) / RowsPerPart);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                for (long r = (long)part * RowsPerPart; r < Math.Min(rows, (long)(part + 1) * RowsPerPart); r++)
                {
                    float scale = 2 * upstream * ((float*)ws)[r];
                    var source = new ReadOnlySpan<float>((float*)xs + (r * width), width);
                    var target = new Span<float>((float*)gs + (r * width), width);
                    if (!add)
                    {
                        target.Clear();
                    }

                    ScaledRowAdd.Apply(source, scale, target);
                }
            });
        }
    }

    private static (Tensor X, Tensor Weights) Checked(Tensor x, Tensor weights)
    {
        if (x.dtype != ScalarType.Float32 || x.dim() != 2 || x.device_type != DeviceType.CPU
            || weights.dtype != ScalarType.Float32 || weights.dim() != 1 || weights.shape[0] != x.shape[0])
        {
            throw new ArgumentException($"weighted norm: x must be a 2-D float32 CPU tensor and w one float32 weight per row, got {x.dtype} [{string.Join(", ", x.shape)}] and {weights.dtype} [{string.Join(", ", weights.shape)}]");
        }

        return (x.detach().contiguous(), weights.detach().contiguous());
    }

    private sealed record Inputs(int Threads, Tensor X, Tensor Weights);

    private sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        private const string InputsKey = "inputs";

        public override string Name => nameof(WeightedSquaredNorm);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var threads = (int)vars[0];
            // The caller's tensors, in a holder (TorchSharp prints a warning for tensors in save_data): the caller's
            // scope keeps them alive until the backward.
            ctx.save_data(InputsKey, new Inputs(threads, (Tensor)vars[1], (Tensor)vars[2]));
            (Tensor x, Tensor weights) = Checked((Tensor)vars[1], (Tensor)vars[2]);
            using (x)
            using (weights)
            {
                return tensor(Forward(x, weights, threads));
            }
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (int threads, Tensor input, Tensor rowWeights) = (Inputs)ctx.get_data(InputsKey);
            (Tensor x, Tensor weights) = Checked(input, rowWeights);
            using (x)
            using (weights)
            {
                using Tensor? kept = KeptGradient.Of(input);
                Tensor gradient = kept ?? empty_like(x);
                Backward(x, weights, grad_output.item<float>(), gradient, add: kept is not null, threads);
                return [null!, kept is null ? gradient : null!, null!];
            }
        }
    }
}
