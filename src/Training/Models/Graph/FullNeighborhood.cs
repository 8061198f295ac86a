using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// The full-neighborhood means of the final propagation (no gradient): on the CPU computed from the graph as they are
/// used (<see cref="RowMeanKernel"/>, no stored values), elsewhere torch's sparse products over <see cref="NormalizedAdjacency.Mean"/>.
/// </summary>
internal sealed class FullNeighborhood : IDisposable
{
    private readonly RowMeanKernel? _mean;
    private readonly RowMeanKernel? _starMean;
    private readonly SparseOperator? _meanOperator;
    private readonly SparseOperator? _starOperator;

    public FullNeighborhood(BipartiteGraph graph, float meanRating, Device device, int threads)
    {
        if (SparseOperator.UsesCsrKernel(device))
        {
            _mean = new RowMeanKernel(graph, center: null, threads);
            _starMean = new RowMeanKernel(graph, meanRating, threads);
        }
        else
        {
            _meanOperator = new SparseOperator(NormalizedAdjacency.Mean(graph, _ => 1f), device, threads);
            _starOperator = new SparseOperator(NormalizedAdjacency.Mean(graph, stars => stars - meanRating), device, threads);
        }
    }

    /// <summary>Each node's mean neighbor vector.</summary>
    public Tensor Mean(Tensor h) => _mean is not null ? Product(_mean, h) : _meanOperator!.Multiply(h);

    /// <summary>Each node's mean of (stars − μ)·neighbor vector.</summary>
    public Tensor StarMean(Tensor h) => _starMean is not null ? Product(_starMean, h) : _starOperator!.Multiply(h);

    public void Dispose()
    {
        _meanOperator?.Dispose();
        _starOperator?.Dispose();
    }

    private static Tensor Product(RowMeanKernel kernel, Tensor h)
    {
        if (h.requires_grad && torch.is_grad_enabled())
        {
            throw new InvalidOperationException("the full-neighborhood means have no gradient; call them under no_grad");
        }

        return NativeProduct.Run(kernel, h);
    }
}
