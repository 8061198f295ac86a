using NetflixRec.Training.Models.Torch;
namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// One hop of a sampled computation graph (a "block" in DGL/PyG terms): the destination nodes (the previous frontier,
/// each once) aggregate over sampled neighbors drawn from <see cref="Sources"/>.
/// </summary>
/// <param name="Sources">The destinations first, in their order (so row i's own vector is source i), then every newly
/// reached neighbor once: the next hop's destinations.</param>
/// <param name="Mean">[destinations × sources]: 1/(samples taken) per sampled edge, so Mean·H is each destination's
/// sampled neighbor mean.</param>
/// <param name="CenteredStars">Same pattern: the weight times the edge's stars minus the mean rating.</param>
public sealed record SampledBlock(long[] Sources, SparseMatrix Mean, SparseMatrix CenteredStars)
{
    public int Destinations => Mean.RowCount;
}

/// <summary>
/// GraphSAGE/PinSage-style neighbor sampling over the graph's adjacency: a node with at most <c>fanout</c> neighbors keeps
/// them all (its mean is exact), a busier node draws <c>fanout</c> neighbors uniformly with replacement (an unbiased mean).
/// Nodes are deduplicated per hop, so a mini-batch computes each node's vector once per layer however many of its
/// targets reach it: on a graph of a few hundred thousand nodes a batch's frontier saturates quickly, and the cost per
/// step is bounded by the distinct nodes, not by batch × Π fanouts. Not thread-safe (one reusable position buffer).
/// </summary>
public sealed class NeighborSampler
{
    private readonly BipartiteGraph _graph;
    private readonly float _meanRating;
    private readonly int[] _position;

    public NeighborSampler(BipartiteGraph graph, float meanRating)
    {
        _graph = graph;
        _meanRating = meanRating;
        _position = new int[graph.Nodes];
        Array.Fill(_position, -1);
    }

    /// <summary>The distinct nodes of <paramref name="nodes"/> in first-seen order; <paramref name="positions"/>[i] is
    /// where nodes[i] landed.</summary>
    public long[] Distinct(ReadOnlySpan<long> nodes, Span<long> positions)
    {
        var distinct = new List<long>();
        for (int i = 0; i < nodes.Length; i++)
        {
            positions[i] = PositionOf(nodes[i], distinct);
        }

        Reset(distinct);
        return [.. distinct];
    }

    /// <summary>Samples up to <paramref name="fanout"/> neighbors of each of the distinct <paramref name="destinations"/>.</summary>
    public SampledBlock Expand(ReadOnlySpan<long> destinations, int fanout, Random random)
    {
        int n = destinations.Length;
        var sources = new List<long>(n * 2);
        foreach (long node in destinations)
        {
            if (_position[node] >= 0)
            {
                Reset(sources);
                throw new ArgumentException($"destination node {node} appears twice", nameof(destinations));
            }

            PositionOf(node, sources);
        }

        ReadOnlySpan<long> offsets = _graph.Adjacency.Offsets.Span;
        ReadOnlySpan<int> columns = _graph.Adjacency.Columns.Span;
        ReadOnlySpan<float> stars = _graph.Adjacency.Ratings.Span;
        var rowOffsets = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            int degree = (int)(offsets[(int)destinations[i] + 1] - offsets[(int)destinations[i]]);
            rowOffsets[i + 1] = rowOffsets[i] + Math.Min(degree, fanout);
        }

        // Three passes over the samples, in the same order as one loop would take them (so the same draws and positions):
        // pick the edges, then read their neighbors and stars (independent loads from the whole graph's adjacency, far
        // larger than the caches, which the CPU can overlap when nothing else sits between them), then number the neighbors.
        int samples = (int)rowOffsets[n];
        var edges = new int[samples];
        for (int i = 0; i < n; i++)
        {
            long first = offsets[(int)destinations[i]];
            int degree = (int)(offsets[(int)destinations[i] + 1] - first);
            int taken = Math.Min(degree, fanout);
            for (int s = 0; s < taken; s++)
            {
                edges[rowOffsets[i] + s] = (int)(first + (degree <= fanout ? s : random.Next(degree)));
            }
        }

        var sourceOf = new int[samples];
        var centered = new float[samples];
        for (int k = 0; k < samples; k++)
        {
            sourceOf[k] = columns[edges[k]];
            centered[k] = stars[edges[k]];
        }

        var weights = new float[samples];
        for (int i = 0; i < n; i++)
        {
            int from = (int)rowOffsets[i], taken = (int)(rowOffsets[i + 1] - from);
            for (int k = from; k < from + taken; k++)
            {
                sourceOf[k] = (int)PositionOf(sourceOf[k], sources);
                weights[k] = 1f / taken;
                centered[k] = (centered[k] - _meanRating) / taken;
            }
        }

        Reset(sources);
        int sourceCount = sources.Count;
        return new SampledBlock([.. sources],
            new SparseMatrix(n, sourceCount, rowOffsets, sourceOf, weights),
            new SparseMatrix(n, sourceCount, rowOffsets, sourceOf, centered));
    }

    private long PositionOf(long node, List<long> seen)
    {
        if (_position[node] < 0)
        {
            _position[node] = seen.Count;
            seen.Add(node);
        }

        return _position[node];
    }

    private void Reset(List<long> seen)
    {
        foreach (long node in seen)
        {
            _position[node] = -1;
        }
    }
}
