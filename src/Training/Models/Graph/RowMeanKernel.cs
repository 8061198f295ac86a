using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// D^−1 A·X over the whole graph with each edge weighted by 1 or by its centered stars (r − μ): the products of
/// <see cref="NormalizedAdjacency.Mean"/>, with every value computed from the graph's degrees and stars as it is used
/// instead of stored (two stored value arrays were 1.6 GB at Netflix size, held for the one full propagation per epoch).
/// Each value is rounded exactly as the stored one was, so the products are the same floats. Rows are split across
/// threads; each output row is written by one thread.
/// </summary>
internal sealed class RowMeanKernel : INativeProduct
{
    private readonly BipartiteGraph _graph;
    private readonly float? _center;
    private readonly int _threads;
    private readonly int[] _chunkStarts;

    /// <param name="center">null: every edge weighs 1 (the neighbor mean); μ: an edge weighs its stars − μ.</param>
    public RowMeanKernel(BipartiteGraph graph, float? center, int threads)
    {
        _graph = graph;
        _center = center;
        _threads = Math.Max(1, threads);
        var rows = new SparseMatrix(graph.Nodes, graph.Nodes, graph.Adjacency.Offsets, graph.Adjacency.Columns, ReadOnlyMemory<float>.Empty);
        _chunkStarts = SparseKernel.Partition(rows, _threads * 8);
    }

    public int OutputRows => _graph.Nodes;

    public void Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        if (xLength != (long)OutputRows * columns || yLength != xLength)
        {
            throw new ArgumentException($"D^−1A·X: {OutputRows} rows of {columns} values expected, X has {xLength}, Y {yLength}");
        }

        NativeProduct.InParts(_chunkStarts.Length - 1, _threads, x, xLength, y, yLength, columns, MultiplyChunk);
    }

    private void MultiplyChunk(int chunk, ReadOnlySpan<float> input, Span<float> output, int columns)
    {
        ReadOnlySpan<long> offsets = _graph.Adjacency.Offsets.Span;
        ReadOnlySpan<int> neighbors = _graph.Adjacency.Columns.Span;
        ReadOnlySpan<float> stars = _graph.Adjacency.Ratings.Span;
        for (int r = _chunkStarts[chunk]; r < _chunkStarts[chunk + 1]; r++)
        {
            Span<float> row = output.Slice(r * columns, columns);
            row.Clear();
            float inverse = 1f / Math.Max(1, _graph.DegreeOf(r));
            for (long e = offsets[r]; e < offsets[r + 1]; e++)
            {
                float weight = _center is { } mean ? stars[(int)e] - mean : 1f;
                ScaledRowAdd.Apply(input.Slice(neighbors[(int)e] * columns, columns), weight * inverse, row);
            }
        }
    }
}
