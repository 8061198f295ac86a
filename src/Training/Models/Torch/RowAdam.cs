using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Adam for a large table whose mini-batch gradient touches only some rows (the input and output tables of the
/// autoencoders, indexed by movie or, for item-based AutoRec, by user; sage's node embeddings and biases): the "lazy"
/// variant (as TensorFlow's LazyAdam and PyTorch's SparseAdam) that updates the moments and weights of the touched rows
/// only. A dense Adam step would read and write the whole table (480,189 × 500 floats for item-based AutoRec on the
/// Prize) on every mini-batch. On a row touched at every step it is exactly torch's Adam (weight decay as torch's: λ·w
/// added to the gradient); a row a step does not touch keeps its weights and moments, where dense Adam would keep moving
/// it with its stale momentum. Owns the table and both moment tensors: 3 × the table's size. A step is torch's ops
/// (gather, update, scatter back) on other devices, and on the CPU one pass over the touched rows (<see cref="RowAdamKernel"/>)
/// taking torch's own √ on blocks of rows in cache (<see cref="TorchSquareRoot"/>; where that is not callable, two passes
/// around torch.sqrt on a scratch tensor): the same floats as the torch ops, without their copies, their serial
/// index_copy_ and the page faults of their fresh temporaries (on item-based AutoRec at full, those were most of the
/// epoch). The rows a step gathers and their gradient live in storage kept between steps too (<see cref="Gather"/>).
/// IEEE's √ is not torch's (MKL's is not always correctly rounded): taken in the kernel it moved autorec-i's trajectory
/// and scored worse on small's validation (3 of 3 seeds against the torch ops, mean 0.9087 → 0.9098).
/// </summary>
/// <param name="torchOps">Take the torch-op step on the CPU as well (the reference the tests hold the kernel to).</param>
public sealed class RowAdam(Tensor table, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0,
    bool torchOps = false) : IDisposable
{
    private readonly Tensor _m = zeros_like(table);
    private readonly Tensor _v = zeros_like(table);

    // Per-step tensors the size of the touched rows, kept between steps (KeptBuffer): the rows handed out by Gather, their
    // gradient, and v / c₂ of the touched rows (then its √ in place).
    private readonly KeptBuffer _gathered = new(table.device);
    private readonly KeptBuffer _gradient = new(table.device);
    private readonly KeptBuffer _scratch = new(table.device);

    public Tensor Table => table;

    /// <summary>
    /// The rows <paramref name="rows"/> (distinct) as a leaf tensor that records gradients. On the CPU its storage and that of
    /// its gradient (zeroed, already in place: autograd and the kernels add into it) are kept from step to step; the
    /// tensor is valid until the next call.
    /// </summary>
    public Tensor Gather(Tensor rows)
    {
        using (no_grad())
        {
            if (table.device_type != DeviceType.CPU || torchOps)
            {
                return table.index_select(0, rows).requires_grad_(true);
            }

            long count = rows.numel();
            long[] shape = table.dim() == 1 ? [count] : [count, table.shape[1]];
            Tensor gathered = _gathered.View(shape);
            CopyRows(rows, gathered);
            gathered.requires_grad_(true);
            Tensor gradient = _gradient.View(shape);
            gradient.zero_();
            gathered.grad = gradient;
            return gathered;
        }
    }

    /// <summary>One Adam step (bias-corrected for global step <paramref name="step"/>) on the given rows.</summary>
    public void Step(Tensor rows, Tensor gradient, long step)
    {
        if (table.device_type == DeviceType.CPU && !torchOps)
        {
            StepInPlace(rows, gradient, step, SimdWidths.Best);
            return;
        }

        using DisposeScope scope = NewDisposeScope();
        using (no_grad())
        {
            if (weightDecay != 0)
            {
                gradient = gradient.add(table.index_select(0, rows), alpha: weightDecay);
            }

            Tensor m = _m.index_select(0, rows).mul_(beta1).add_(gradient, alpha: 1 - beta1);
            Tensor v = _v.index_select(0, rows).mul_(beta2).addcmul_(gradient, gradient, value: 1 - beta2);
            _m.index_copy_(0, rows, m);
            _v.index_copy_(0, rows, v);
            double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
            Tensor update = (m / c1).div_((v / c2).sqrt_().add_(epsilon)).mul_(learningRate);
            table.index_copy_(0, rows, table.index_select(0, rows).sub_(update));
        }
    }

    /// <summary>
    /// The CPU step at a given SIMD width (tests run every width): one pass with torch's √ taken on blocks in cache where
    /// it can be (<see cref="TorchSquareRoot"/>), else, or when <paramref name="rootOnTensor"/>, two passes around torch.sqrt
    /// on a scratch tensor.
    /// </summary>
    internal unsafe void StepInPlace(Tensor rows, Tensor gradient, long step, SimdWidth simd, bool rootOnTensor = false)
    {
        long count = rows.numel();
        long tableRows = table.shape[0];
        int width = (int)(table.numel() / Math.Max(1, tableRows));
        if (rows.dtype != ScalarType.Int64 || gradient.dtype != ScalarType.Float32 || gradient.numel() != count * width)
        {
            throw new ArgumentException($"row Adam: {count} int64 rows need a float32 gradient of {count}×{width} values, got {gradient.dtype} with {gradient.numel()}");
        }

        using Tensor index = rows.contiguous();
        using Tensor g = gradient.detach().contiguous();
        var c = AdamStepConstants.For(beta1, beta2, epsilon, learningRate, weightDecay, step);
        int threads = torch.get_num_threads();
        if (!rootOnTensor && TorchSquareRoot.Available)
        {
            fixed (byte* w = table.bytes, m = _m.bytes, v = _v.bytes, gp = g.bytes, r = index.bytes)
            {
                CheckRows((long*)r, count, tableRows);
                RowAdamKernel.StepWithTorchRoot((float*)w, (float*)m, (float*)v, (float*)gp, (long*)r, count, width, c, threads, simd);
            }

            return;
        }

        using Tensor root = _scratch.View(count * width);
        fixed (byte* w = table.bytes, m = _m.bytes, v = _v.bytes, gp = g.bytes, r = index.bytes, sp = root.bytes)
        {
            var rowIds = (long*)r;
            CheckRows(rowIds, count, tableRows);
            var scaled = (float*)sp;
            RowAdamKernel.Moments((float*)w, (float*)m, (float*)v, (float*)gp, rowIds, count, width, c, scaled, threads, simd);
            using (no_grad())
            {
                root.sqrt_();
            }

            RowAdamKernel.Apply((float*)w, (float*)m, scaled, rowIds, count, width, c, threads, simd);
        }
    }

    private unsafe void CopyRows(Tensor rows, Tensor target)
    {
        long count = rows.numel();
        long tableRows = table.shape[0];
        int width = (int)(table.numel() / Math.Max(1, tableRows));
        using Tensor index = rows.to(ScalarType.Int64).contiguous();
        fixed (byte* w = table.bytes, r = index.bytes, t = target.bytes)
        {
            CheckRows((long*)r, count, tableRows);
            RowAdamKernel.CopyRows((float*)w, (long*)r, count, width, (float*)t, torch.get_num_threads());
        }
    }

    private static unsafe void CheckRows(long* rows, long count, long tableRows)
    {
        for (long i = 0; i < count; i++)
        {
            if ((ulong)rows[i] >= (ulong)tableRows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} outside the table's {tableRows} rows");
            }
        }
    }

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        _gathered.Dispose();
        _gradient.Dispose();
        _scratch.Dispose();
        table.Dispose();
    }
}
