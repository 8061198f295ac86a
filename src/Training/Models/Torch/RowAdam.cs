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
/// it with its stale momentum. Owns the table and both moment tensors: 3 × the table's size.
/// </summary>
public sealed class RowAdam(Tensor table, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0) : IDisposable
{
    private readonly Tensor _m = zeros_like(table);
    private readonly Tensor _v = zeros_like(table);

    public Tensor Table => table;

    /// <summary>The rows <paramref name="rows"/> (distinct) as a new leaf tensor that records gradients.</summary>
    public Tensor Gather(Tensor rows)
    {
        using (no_grad())
        {
            return table.index_select(0, rows).requires_grad_(true);
        }
    }

    /// <summary>One Adam step (bias-corrected for global step <paramref name="step"/>) on the given rows.</summary>
    public void Step(Tensor rows, Tensor gradient, long step)
    {
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

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        table.Dispose();
    }
}
