using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// The rating graph: users are nodes 0..Users−1, movies are nodes Users..Users+Movies−1, and every rating is an
/// undirected edge stored in both directions. <see cref="Adjacency"/> is compressed sparse rows over all nodes (row =
/// node, columns = neighbor nodes ascending, ratings = the edge's stars), so degrees, neighbor sampling and the
/// normalized adjacencies all read the same arrays; nothing of size nodes × nodes is ever allocated.
/// </summary>
public sealed record BipartiteGraph(int Users, int Movies, RatingIndex Adjacency)
{
    public int Nodes => Users + Movies;

    /// <summary>Undirected edges (ratings); the adjacency holds twice as many entries.</summary>
    public long Edges => Adjacency.Columns.Length / 2;

    public int DegreeOf(int node) => Adjacency.CountOf(node);

    public int MovieNode(int movie) => Users + movie;

    /// <summary>The graph of the ratings in <paramref name="table"/> with at least <paramref name="minStars"/> stars.</summary>
    public static BipartiteGraph FromRatings(RatingTable table, int users, int movies, int minStars = 1)
    {
        RatingTable kept = minStars <= 1 ? table : table.Select(RowsAtLeast(table.Ratings.Span, minStars));
        RatingIndex byUser = RatingIndex.ByUser(kept, users);
        RatingIndex byMovie = RatingIndex.ByMovie(kept, movies);
        int nodes = users + movies;
        long entries = 2L * kept.Count;
        var offsets = new long[nodes + 1];
        var columns = new int[entries];
        var ratings = new float[entries];

        // Users first (their neighbors are movie nodes, shifted by Users), then movies (neighbors are user nodes as they are).
        ReadOnlySpan<long> userOffsets = byUser.Offsets.Span;
        ReadOnlySpan<int> userColumns = byUser.Columns.Span;
        for (int u = 0; u < users; u++)
        {
            offsets[u + 1] = userOffsets[u + 1];
        }

        for (long e = 0; e < kept.Count; e++)
        {
            columns[e] = users + userColumns[(int)e];
        }

        byUser.Ratings.Span.CopyTo(ratings);
        ReadOnlySpan<long> movieOffsets = byMovie.Offsets.Span;
        for (int m = 0; m < movies; m++)
        {
            offsets[users + m + 1] = kept.Count + movieOffsets[m + 1];
        }

        byMovie.Columns.Span.CopyTo(columns.AsSpan(kept.Count));
        byMovie.Ratings.Span.CopyTo(ratings.AsSpan(kept.Count));
        return new BipartiteGraph(users, movies, new RatingIndex(offsets, columns, ratings));
    }

    private static int[] RowsAtLeast(ReadOnlySpan<byte> ratings, int minStars)
    {
        var rows = new List<int>();
        for (int i = 0; i < ratings.Length; i++)
        {
            if (ratings[i] >= minStars)
            {
                rows.Add(i);
            }
        }

        return [.. rows];
    }
}
