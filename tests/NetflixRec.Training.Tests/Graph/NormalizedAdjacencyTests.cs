using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

[Collection(TorchCollection.Name)]
public sealed class NormalizedAdjacencyTests
{
    private static readonly double s_half = 1 / Math.Sqrt(2), s_sixth = 1 / Math.Sqrt(6), s_third = 1 / Math.Sqrt(3);

    // Â = D^−½ A D^−½ by hand: entry (i, j) = 1/√(d_i d_j) for every edge, rows/columns u0 u1 u2 m0 m1 m2.
    private static readonly double[,] s_symmetric =
    {
        { 0, 0, 0, s_half, s_sixth, 0 },
        { 0, 0, 0, 0, s_third, 0 },
        { 0, 0, 0, 0, s_sixth, s_half },
        { s_half, 0, 0, 0, 0, 0 },
        { s_sixth, s_third, s_sixth, 0, 0, 0 },
        { 0, 0, s_half, 0, 0, 0 },
    };

    [Fact]
    public void Symmetric_HandBuilt3x3Graph_EqualsHandComputedMatrix()
    {
        SparseMatrix adjacency = NormalizedAdjacency.Symmetric(GraphFixtures.ThreeByThreeGraph);

        AssertMatrix(s_symmetric, adjacency.ToDense(), adjacency.ColumnCount);
        Assert.Equal(10, adjacency.NonZeros);
    }

    [Fact]
    public void ToTorch_HandBuilt3x3Graph_SparseTensorDensifiesToHandComputedMatrix()
    {
        torch.set_num_threads(1);
        using DisposeScope scope = torch.NewDisposeScope();

        Tensor sparse = NormalizedAdjacency.Symmetric(GraphFixtures.ThreeByThreeGraph).ToTorch(CPU);

        Assert.True(sparse.is_sparse);
        AssertMatrix(s_symmetric, sparse.to_dense().data<float>().ToArray(), 6);
    }

    [Fact]
    public void ByLevel_HandBuilt3x3Graph_PutsEachRatingInItsLevelBlock()
    {
        // Users × (5 levels · 3 movies): column (r−1)·3 + m, value 1/√(d_u d_m).
        SparseMatrix users = NormalizedAdjacency.ByLevel(GraphFixtures.ThreeByThreeGraph, userRows: true, levels: 5);
        var expected = new double[3, 15];
        expected[0, (4 * 3) + 0] = s_half;   // u0–m0, 5★
        expected[0, (2 * 3) + 1] = s_sixth;  // u0–m1, 3★
        expected[1, (3 * 3) + 1] = s_third;  // u1–m1, 4★
        expected[2, (0 * 3) + 1] = s_sixth;  // u2–m1, 1★
        expected[2, (1 * 3) + 2] = s_half;   // u2–m2, 2★

        AssertMatrix(expected, users.ToDense(), 15);

        // The movie side is the mirror: Movies × (5 levels · 3 users).
        SparseMatrix movies = NormalizedAdjacency.ByLevel(GraphFixtures.ThreeByThreeGraph, userRows: false, levels: 5);
        var mirror = new double[3, 15];
        mirror[0, (4 * 3) + 0] = s_half;
        mirror[1, (2 * 3) + 0] = s_sixth;
        mirror[1, (3 * 3) + 1] = s_third;
        mirror[1, (0 * 3) + 2] = s_sixth;
        mirror[2, (1 * 3) + 2] = s_half;
        AssertMatrix(mirror, movies.ToDense(), 15);
    }

    [Fact]
    public void Mean_StarWeights_RowIsAverageOfWeightedNeighbors()
    {
        // D^−1 A with each edge weighted by (stars − 3): m1's row averages u0 (3★ → 0), u1 (4★ → 1), u2 (1★ → −2).
        SparseMatrix mean = NormalizedAdjacency.Mean(GraphFixtures.ThreeByThreeGraph, stars => stars - 3f);
        float[] dense = mean.ToDense();

        Assert.Equal(0f, dense[(4 * 6) + 0], 1e-5);
        Assert.Equal(1f / 3, dense[(4 * 6) + 1], 1e-5);
        Assert.Equal(-2f / 3, dense[(4 * 6) + 2], 1e-5);
        Assert.Equal(1f, dense[(0 * 6) + 3], 1e-5);     // u0–m0, 5★ → 2, over degree 2
        Assert.Equal(0f, dense[(0 * 6) + 4], 1e-5);
    }

    [Fact]
    public void FromRatings_MinStars_KeepsOnlyPositiveEdges()
    {
        var graph = BipartiteGraph.FromRatings(GraphFixtures.ThreeByThree, 3, 3, minStars: 4);

        Assert.Equal(2, graph.Edges);
        Assert.Equal([3], graph.Adjacency.ColumnsOf(0).ToArray());
        Assert.Equal([4], graph.Adjacency.ColumnsOf(1).ToArray());
        Assert.Equal(0, graph.DegreeOf(2));
        Assert.Equal([1], graph.Adjacency.ColumnsOf(4).ToArray());
    }

    private static void AssertMatrix(double[,] expected, float[] actual, int columns)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < columns; j++)
            {
                Assert.True(Math.Abs(expected[i, j] - actual[(i * columns) + j]) < 1e-6, $"entry ({i}, {j}): expected {expected[i, j]}, got {actual[(i * columns) + j]}");
            }
        }
    }
}
