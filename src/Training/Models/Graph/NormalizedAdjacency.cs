using NetflixRec.Training.Models.Torch;
namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// The normalized adjacency matrices the three models propagate over, each computed entry by entry from the graph's
/// degrees (never a dense matrix). An isolated node has degree 0 and simply has no entries.
/// </summary>
public static class NormalizedAdjacency
{
    /// <summary>Â = D^−½ A D^−½ over all nodes (LightGCN; Kipf–Welling's symmetric normalization): Â_ij = 1/√(d_i d_j).</summary>
    public static SparseMatrix Symmetric(BipartiteGraph graph)
    {
        RatingIndexView a = new(graph);
        var values = new float[a.Columns.Length];
        for (int i = 0; i < graph.Nodes; i++)
        {
            double di = graph.DegreeOf(i);
            for (long e = a.Offsets[i]; e < a.Offsets[i + 1]; e++)
            {
                values[e] = (float)(1.0 / Math.Sqrt(di * graph.DegreeOf(a.Columns[(int)e])));
            }
        }

        return new SparseMatrix(graph.Nodes, graph.Nodes, graph.Adjacency.Offsets, graph.Adjacency.Columns, values);
    }

    /// <summary>
    /// D^−1 A over all nodes, each edge weighted by <paramref name="weight"/>(stars): row i averages its neighbors
    /// (GraphSAGE's mean aggregator over the full neighborhood, which sampled training estimates).
    /// </summary>
    public static SparseMatrix Mean(BipartiteGraph graph, Func<float, float> weight)
    {
        RatingIndexView a = new(graph);
        ReadOnlySpan<float> stars = graph.Adjacency.Ratings.Span;
        var values = new float[a.Columns.Length];
        for (int i = 0; i < graph.Nodes; i++)
        {
            float inverse = 1f / Math.Max(1, graph.DegreeOf(i));
            for (long e = a.Offsets[i]; e < a.Offsets[i + 1]; e++)
            {
                values[e] = weight(stars[(int)e]) * inverse;
            }
        }

        return new SparseMatrix(graph.Nodes, graph.Nodes, graph.Adjacency.Offsets, graph.Adjacency.Columns, values);
    }

    /// <summary>
    /// GC-MC's per-rating-level adjacencies, stacked side by side: for the user side (<paramref name="userRows"/>) a
    /// Users × (levels·Movies) matrix whose entry (u, (r−1)·Movies + m) is c_um = 1/√(d_u d_m) when u rated m with r
    /// stars; for the movie side the Movies × (levels·Users) mirror. Multiplying it by the level weights stacked
    /// vertically sums every level's messages in one sparse product (GC-MC's "sum" accumulation).
    /// </summary>
    public static SparseMatrix ByLevel(BipartiteGraph graph, bool userRows, int levels)
    {
        int first = userRows ? 0 : graph.Users;
        int rows = userRows ? graph.Users : graph.Movies;
        int otherCount = userRows ? graph.Movies : graph.Users;
        int otherFirst = userRows ? graph.Users : 0;
        RatingIndexView a = new(graph);
        ReadOnlySpan<float> stars = graph.Adjacency.Ratings.Span;
        long start = a.Offsets[first];
        var offsets = new long[rows + 1];
        var columns = new int[a.Offsets[first + rows] - start];
        var values = new float[columns.Length];
        for (int r = 0; r < rows; r++)
        {
            int node = first + r;
            double dr = graph.DegreeOf(node);
            offsets[r + 1] = a.Offsets[node + 1] - start;
            for (long e = a.Offsets[node]; e < a.Offsets[node + 1]; e++)
            {
                int neighbor = a.Columns[(int)e];
                int level = (int)stars[(int)e] - 1;
                if ((uint)level >= (uint)levels)
                {
                    throw new ArgumentException($"rating {stars[(int)e]} outside the {levels} levels", nameof(graph));
                }

                columns[e - start] = (level * otherCount) + neighbor - otherFirst;
                values[e - start] = (float)(1.0 / Math.Sqrt(dr * graph.DegreeOf(neighbor)));
            }

            // Columns stay ascending within a level but levels interleave: sort the row so the COO tensor is coalesced.
            int from = (int)offsets[r], length = (int)(offsets[r + 1] - offsets[r]);
            columns.AsSpan(from, length).Sort(values.AsSpan(from, length));
        }

        return new SparseMatrix(rows, levels * otherCount, offsets, columns, values);
    }

    /// <summary>Spans over the graph's CSR arrays (a ref struct keeps the loops free of repeated .Span calls).</summary>
    private readonly ref struct RatingIndexView(BipartiteGraph graph)
    {
        public ReadOnlySpan<long> Offsets { get; } = graph.Adjacency.Offsets.Span;

        public ReadOnlySpan<int> Columns { get; } = graph.Adjacency.Columns.Span;
    }
}
