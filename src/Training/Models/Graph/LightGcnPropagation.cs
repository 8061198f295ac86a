using NetflixRec.Training.Models.Torch;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// LightGCN's propagation: e^(k+1) = Â e^(k) with the symmetric normalized adjacency — no weights, no non-linearity —
/// and the final representation the mean of the layers, e = (1/(K+1)) Σ_k e^(k). Differentiable with respect to e^(0).
/// </summary>
public static class LightGcnPropagation
{
    /// <summary>One step: every node's new vector is the normalized sum of its neighbors' vectors.</summary>
    public static Tensor Step(SparseOperator adjacency, Tensor embeddings) => adjacency.Multiply(embeddings);

    /// <summary>
    /// The layer combination over <paramref name="layers"/> steps (0 layers: the embeddings themselves): on the CPU kernels
    /// one fused autograd function with the same floats (<see cref="SparseOperator.LayerMean"/>), else composed of torch ops.
    /// </summary>
    public static Tensor Combine(SparseOperator adjacency, Tensor embeddings, int layers) =>
        adjacency.HasFusedLayerMean ? adjacency.LayerMean(embeddings, layers) : Composed(adjacency, embeddings, layers);

    /// <summary>
    /// Rows <paramref name="nodes"/> (int64, repeats allowed) of <see cref="Combine"/>, differentiable with respect to
    /// e^(0): on the CPU kernels without the propagation work that only other users' rows need
    /// (<see cref="SparseOperator.LayerMeanRows"/>), the same floats.
    /// </summary>
    public static Tensor CombineRows(SparseOperator adjacency, Tensor embeddings, int layers, Tensor nodes) =>
        adjacency.HasFusedLayerMean ? adjacency.LayerMeanRows(embeddings, layers, nodes) : Composed(adjacency, embeddings, layers).index_select(0, nodes);

    /// <summary>The layer combination as torch ops: every layer and partial sum a tensor of its own.</summary>
    public static Tensor Composed(SparseOperator adjacency, Tensor embeddings, int layers)
    {
        Tensor sum = embeddings;
        Tensor current = embeddings;
        for (int k = 0; k < layers; k++)
        {
            current = Step(adjacency, current);
            sum = sum + current;
        }

        return sum / (layers + 1);
    }
}
