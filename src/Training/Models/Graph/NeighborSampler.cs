namespace NetflixRec.Training.Models.Graph;

/// <summary>One hop of a sampled computation graph: the next frontier and the weights that average each node's samples.</summary>
/// <param name="Nodes">The previous frontier's nodes (first, so each node's own vector is at hand) followed by
/// <c>fanout</c> sampled neighbors per node.</param>
/// <param name="Weights">[previous × fanout]: 1/(samples taken), 0 for padding: the weighted sum is the sampled mean.</param>
/// <param name="CenteredStars">[previous × fanout]: the weight times the edge's stars minus the mean rating.</param>
public sealed record SampledHop(long[] Nodes, float[] Weights, float[] CenteredStars, int Fanout);

/// <summary>
/// GraphSAGE/PinSage-style neighbor sampling over the graph's adjacency: a node with at most <c>fanout</c> neighbors keeps
/// them all (its mean is exact), a busier node draws <c>fanout</c> neighbors uniformly with replacement (an unbiased mean).
/// Shapes stay regular ([nodes, fanout]) so a hop is one gather and one weighted sum in torch.
/// </summary>
public sealed class NeighborSampler(BipartiteGraph graph, float meanRating)
{
    public SampledHop Expand(ReadOnlySpan<long> nodes, int fanout, Random random)
    {
        int n = nodes.Length;
        var next = new long[(long)n * (1 + fanout)];
        var weights = new float[(long)n * fanout];
        var centered = new float[(long)n * fanout];
        nodes.CopyTo(next);
        ReadOnlySpan<long> offsets = graph.Adjacency.Offsets.Span;
        ReadOnlySpan<int> columns = graph.Adjacency.Columns.Span;
        ReadOnlySpan<float> stars = graph.Adjacency.Ratings.Span;
        for (int i = 0; i < n; i++)
        {
            long node = nodes[i], first = offsets[(int)node];
            int degree = (int)(offsets[(int)node + 1] - first);
            int taken = Math.Min(degree, fanout);
            long at = (long)i * fanout;
            for (int s = 0; s < fanout; s++)
            {
                if (s < taken)
                {
                    int e = (int)(first + (degree <= fanout ? s : random.Next(degree)));
                    next[n + at + s] = columns[e];
                    weights[at + s] = 1f / taken;
                    centered[at + s] = (stars[e] - meanRating) / taken;
                }
                else
                {
                    // Padding points at the node itself with weight 0: any valid index would do.
                    next[n + at + s] = node;
                }
            }
        }

        return new SampledHop(next, weights, centered, fanout);
    }
}
