using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Rows of a parameter table picked by distinct indices, differentiable with respect to the table, whose backward adds
/// the rows' gradients into the table's own gradient in place. torch's <c>index_select</c> backward builds a zeroed
/// gradient the size of the whole table and autograd then adds it to the one the optimizer keeps: at Netflix size, for
/// sage's 498 k × 32 embeddings, a fresh 64 MB block per step (mapped, faulted in and zeroed by the kernel: a fifth of
/// its step), a zero fill and two passes over the table for a few hundred thousand rows. The table's gradient must be
/// zeroed in place between steps (as <see cref="FusedAdam.ZeroGrad"/> does); the first backward, which finds none, hands
/// autograd a whole one to keep. With distinct indices every row receives one gradient, so the floats are those of
/// <c>index_select</c>'s backward.
/// </summary>
internal static class DistinctRowGather
{
    /// <summary>table[rows] (rows distinct: sampled frontiers are deduplicated), differentiable with respect to the table.</summary>
    public static Tensor Apply(Tensor table, Tensor rows) => Function.apply(table, rows);

    private sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        private const string InputsKey = "inputs";

        public override string Name => nameof(DistinctRowGather);

        public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var table = (Tensor)vars[0];
            var rows = (Tensor)vars[1];
            // The table itself, not a saved copy: its gradient is what the backward writes into. The caller keeps the rows
            // alive until the backward (the step's dispose scope). In a holder: TorchSharp wants tensors it saves itself.
            ctx.save_data(InputsKey, new Inputs(table, rows));
            return table.index_select(0, rows);
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (Tensor table, Tensor rows) = (Inputs)ctx.get_data(InputsKey);
            using Tensor? grad = table.grad;
            if (grad is null)
            {
                // First step: autograd keeps this one as the table's gradient; later steps add into it in place.
                return [zeros_like(table).index_add_(0, rows, grad_output, 1), null!];
            }

            using (no_grad())
            {
                grad.index_add_(0, rows, grad_output, 1);
            }

            return [null!, null!];
        }

        private sealed record Inputs(Tensor Table, Tensor Rows);
    }
}
