using System.Numerics.Tensors;
using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>
/// The push products (stream A's rows, write Aᵀ's) against the gathers they replace, the fused LightGCN layer mean
/// against its composition of torch ops, and the inlined row update against TensorPrimitives.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class PushKernelTests
{
    private const int Levels = 5;

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(40, 23, 17, 3)]
    [InlineData(9, 70, 64, 7)]
    [InlineData(200, 3, 33, 4)]
    public void Transpose_RandomMatrixWithEmptyRowsAndColumns_EqualsGatherAlongTheStoredTransposeBitForBit(int rows, int columns, int width, int threads)
    {
        var random = new Random((rows * 31) + columns);
        SparseMatrix a = AscendingCsr(rows, columns, columnBase: 0, random);
        float[] x = RandomValues(rows * width, random);
        var expected = new float[columns * width];
        new SparseKernel(SparseKernel.Transpose(a), threads: 2).Multiply(x, expected, width);
        var actual = Filled(columns * width);

        new PushKernel(a, PushLayout.Transpose(0, columns), threads).Multiply(x, actual, width);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Transpose_ColumnBase_ReadsOnlyTheShiftedColumns(int threads)
    {
        var random = new Random(3);
        SparseMatrix shifted = AscendingCsr(12, 9, columnBase: 4, random);
        SparseMatrix plain = shifted with { ColumnCount = 9, Columns = shifted.Columns.ToArray().Select(c => c - 4).ToArray() };
        float[] x = RandomValues(12 * 6, random);
        var expected = new float[9 * 6];
        var actual = Filled(9 * 6);
        new PushKernel(plain, PushLayout.Transpose(0, 9), threads: 1).Multiply(x, expected, 6);

        new PushKernel(shifted, PushLayout.Transpose(4, 9), threads).Multiply(x, actual, 6);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(6, 4, 3, 1)]
    [InlineData(40, 23, 17, 2)]
    [InlineData(25, 70, 64, 3)]
    public void LevelsInOutput_EqualsLevelTransposeKernelOverTheOtherSideBitForBit(int users, int movies, int width, int threads)
    {
        BipartiteGraph graph = GraphFixtures.RandomGraph(users, movies, new Random(users + movies));
        SparseMatrix userRows = NormalizedAdjacency.ByLevel(graph, userRows: true, Levels);
        SparseMatrix movieRows = NormalizedAdjacency.ByLevel(graph, userRows: false, Levels);
        float[] g = RandomValues(users * width, new Random(5));
        var expected = new float[Levels * movies * width];
        var actual = Filled(expected.Length);
        new LevelTransposeKernel(movieRows, Levels, threads: 2).Multiply(g, expected, width);

        new PushKernel(userRows, new PushLayout(0, Levels, movies, LevelsInOutput: true, CumulativeInput: false), threads).Multiply(g, actual, width);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(6, 4, 3, 1, false)]
    [InlineData(40, 23, 17, 2, false)]
    [InlineData(6, 4, 3, 1, true)]
    [InlineData(40, 23, 17, 2, true)]
    [InlineData(25, 70, 64, 3, true)]
    public void LevelsInInput_EqualsGatherAlongTheMovieRows(int users, int movies, int width, int threads, bool cumulative)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(users, movies, new Random(users * movies));
        SparseMatrix userRows = NormalizedAdjacency.ByLevel(graph, userRows: true, Levels);
        SparseMatrix movieRows = NormalizedAdjacency.ByLevel(graph, userRows: false, Levels);
        Tensor levelWeights = torch.randn([Levels, users, width], generator: new Generator(9));
        float[] raw = levelWeights.data<float>().ToArray();
        float[] gathered = cumulative ? levelWeights.cumsum(0).data<float>().ToArray() : raw;
        var expected = new float[movies * width];
        var actual = Filled(expected.Length);
        new SparseKernel(movieRows, threads: 2).Multiply(gathered, expected, width);

        new PushKernel(userRows, new PushLayout(0, Levels, movies, LevelsInOutput: false, cumulative), threads).Multiply(raw, actual, width);

        // Summed user by user instead of level by level: equal up to rounding.
        Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) <= 1e-5f * Math.Max(1f, Math.Abs(e)));
    }

    [Fact]
    public void Constructor_RowNotAscending_ThrowsNamingTheRow()
    {
        var a = new SparseMatrix(2, 4, new long[] { 0, 1, 3 }, new[] { 1, 3, 2 }, new[] { 1f, 1f, 1f });

        var error = Assert.Throws<ArgumentException>(() => new PushKernel(a, PushLayout.Transpose(0, 4), threads: 1));

        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ColumnOutsideTheLayout_ThrowsNamingTheColumn()
    {
        var a = new SparseMatrix(1, 8, new long[] { 0, 2 }, new[] { 2, 7 }, new[] { 1f, 1f });

        var error = Assert.Throws<ArgumentException>(() => new PushKernel(a, PushLayout.Transpose(2, 4), threads: 1));

        Assert.Contains("column 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_WrongLengths_ThrowsNamingTheRowCounts()
    {
        var kernel = new PushKernel(AscendingCsr(3, 2, 0, new Random(1)), PushLayout.Transpose(0, 2), threads: 1);

        var error = Assert.Throws<ArgumentException>(() => kernel.Multiply(new float[3 * 4], new float[3 * 4], 4));

        Assert.Contains("Y 2 of 4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(9, 13, 2)]
    [InlineData(40, 23, 3)]
    public void SymmetricBipartite_EqualsTheCsrOperatorBitForBit_ValuesAndGradients(int users, int movies, int threads)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(users, movies, new Random(users + (7 * movies)));
        SparseMatrix adjacency = NormalizedAdjacency.Symmetric(graph);
        using var plain = new SparseOperator(adjacency, CPU, threads: 2, symmetric: true);
        using var bipartite = SparseOperator.SymmetricBipartite(adjacency, graph.Users, CPU, threads);
        Tensor x = torch.randn([graph.Nodes, 16], generator: new Generator(4));
        Tensor upstream = torch.randn([graph.Nodes, 16], generator: new Generator(5));
        Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);

        Tensor y1 = plain.Multiply(x1);
        Tensor y2 = bipartite.Multiply(x2);
        (y1 * upstream).sum().backward();
        (y2 * upstream).sum().backward();

        Assert.Equal(Values(y1), Values(y2));
        Assert.Equal(Values(x1.grad!), Values(x2.grad!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LayerMean_EqualsTheComposedPropagation_ValuesAndGradients(int layers)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(30, 17, new Random(layers + 1));
        using var adjacency = SparseOperator.SymmetricBipartite(NormalizedAdjacency.Symmetric(graph), graph.Users, CPU, threads: 2);
        Tensor x = torch.randn([graph.Nodes, 8], generator: new Generator(6));
        Tensor upstream = torch.randn([graph.Nodes, 8], generator: new Generator(7));
        Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);

        Tensor fused = LightGcnPropagation.Combine(adjacency, x1, layers);
        Tensor composed = LightGcnPropagation.Composed(adjacency, x2, layers);
        (fused * upstream).sum().backward();
        (composed * upstream).sum().backward();

        Assert.True(adjacency.HasFusedLayerMean);
        Assert.Equal(Values(composed), Values(fused), (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1f, Math.Abs(a)));
        Assert.Equal(Values(x2.grad!), Values(x1.grad!), (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1f, Math.Abs(a)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public void LayerMeanRows_EqualsLayerMeanThenIndexSelect_ValuesAndGradientsBitForBit(int layers, int threads)
    {
        // Repeated users and movies, most users absent (their propagation is skipped), two steps on the same operator.
        using DisposeScope scope = torch.NewDisposeScope();
        var random = new Random(layers + 10);
        BipartiteGraph graph = GraphFixtures.RandomGraph(300, 40, random);
        using var adjacency = SparseOperator.SymmetricBipartite(NormalizedAdjacency.Symmetric(graph), graph.Users, CPU, threads);
        for (int step = 0; step < 2; step++)
        {
            long[] ids = [.. Enumerable.Range(0, 90).Select(i => i % 3 == 0 ? (long)random.Next(40) : graph.Users + (long)random.Next(graph.Movies))];
            Tensor nodes = torch.tensor(ids);
            Tensor x = torch.randn([graph.Nodes, 16], generator: new Generator((ulong)step + 6));
            Tensor upstream = torch.randn([ids.Length, 16], generator: new Generator((ulong)step + 7));
            Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);

            Tensor rows = LightGcnPropagation.CombineRows(adjacency, x1, layers, nodes);
            Tensor selected = adjacency.LayerMean(x2, layers).index_select(0, nodes);
            (rows * upstream).sum().backward();
            (selected * upstream).sum().backward();

            Assert.Equal(Values(selected), Values(rows));
            Assert.Equal(Values(x2.grad!), Values(x1.grad!));
        }
    }

    [Fact]
    public void LayerMeanRows_NodeOutsideTheGraph_ThrowsNamingIt()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(12, 9, new Random(2));
        using var adjacency = SparseOperator.SymmetricBipartite(NormalizedAdjacency.Symmetric(graph), graph.Users, CPU, threads: 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => adjacency.LayerMeanRows(torch.zeros(graph.Nodes, 4), 2, torch.tensor(new long[] { 0, graph.Nodes })));

        Assert.Contains($"node {graph.Nodes}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(40, 23, 17, 3)]
    [InlineData(200, 3, 33, 4)]
    public void MultiplyFromRows_InputZeroOutsideTheRows_EqualsTheWholeProductBitForBit(int rows, int columns, int width, int threads)
    {
        var random = new Random(rows + columns);
        SparseMatrix a = AscendingCsr(rows, columns, columnBase: 0, random);
        int[] kept = [.. Enumerable.Range(0, rows).Where(_ => random.Next(4) == 0)];
        float[] x = new float[rows * width];
        foreach (int r in kept)
        {
            RandomValues(width, random).CopyTo(x, r * width);
        }

        var kernel = new PushKernel(a, PushLayout.Transpose(0, columns), threads);
        var expected = new float[columns * width];
        kernel.Multiply(x, expected, width);
        var actual = Filled(columns * width);
        kernel.MultiplyFromRows(x, actual, width, kept);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void LayerMean_TwoStepsInARow_GiveTheSameResult()
    {
        // The scratch tables are reused between calls: a second call must not see the first one's leftovers.
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(12, 9, new Random(2));
        using var adjacency = SparseOperator.SymmetricBipartite(NormalizedAdjacency.Symmetric(graph), graph.Users, CPU, threads: 2);
        Tensor x = torch.randn([graph.Nodes, 4], generator: new Generator(3));

        float[] first = Values(adjacency.LayerMean(x, 2));
        float[] second = Values(adjacency.LayerMean(x, 2));

        Assert.Equal(first, second);
    }

    [Fact]
    public void LayerMean_NotSymmetric_Refuses()
    {
        using var op = new SparseOperator(NormalizedAdjacency.Mean(GraphFixtures.ThreeByThreeGraph, _ => 1f), CPU, threads: 1);

        Assert.False(op.HasFusedLayerMean);
        Assert.Throws<InvalidOperationException>(() => op.LayerMean(torch.zeros(6, 2), 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(130)]
    public void ScaledRowAdd_EveryWidth_EqualsTensorPrimitivesMultiplyAdd(int length)
    {
        var random = new Random(length);
        float[] x = RandomValues(length, random), y = RandomValues(length, random);
        float a = (float)random.NextDouble() - 0.5f;
        var expected = new float[length];
        TensorPrimitives.MultiplyAdd(x, a, y, expected);
        foreach (SimdWidth width in SimdWidths.All)
        {
            float[] actual = (float[])y.Clone();

            ScaledRowAdd.Apply(width, x, a, actual);

            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 7)]
    [InlineData(5, 64)]
    [InlineData(3, 19)]
    public void CumulativeRows_EveryWidth_EqualTorchCumsumBitForBit(int levels, int columns)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const int Rows = 4;
        Tensor weights = torch.randn([levels, Rows, columns], generator: new Generator(11)) * 100;
        float[] expected = weights.cumsum(0).data<float>().ToArray();
        float[] input = weights.data<float>().ToArray();
        foreach (SimdWidth width in SimdWidths.All)
        {
            for (int r = 0; r < Rows; r++)
            {
                var actual = new float[levels * columns];

                PushKernel.CumulativeRows(width, input, r, Rows, levels, columns, actual);

                for (int l = 0; l < levels; l++)
                {
                    Assert.Equal(expected.AsSpan(((l * Rows) + r) * columns, columns).ToArray(), actual.AsSpan(l * columns, columns).ToArray());
                }
            }
        }
    }

    [Theory]
    [InlineData(9, 13, 1, false)]
    [InlineData(40, 23, 3, false)]
    [InlineData(40, 23, 2, true)]
    public void RowMeanKernel_EqualsTheStoredMeanAdjacencyBitForBit(int users, int movies, int threads, bool centered)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(users, movies, new Random(users * 3));
        const float Mean = 3.6f;
        using var stored = new SparseOperator(NormalizedAdjacency.Mean(graph, stars => centered ? stars - Mean : 1f), CPU, threads: 2);
        using var onTheFly = new FullNeighborhood(graph, Mean, CPU, threads);
        Tensor h = torch.randn([graph.Nodes, 8], generator: new Generator(8));

        Tensor expected = stored.Multiply(h);
        Tensor actual;
        using (torch.no_grad())
        {
            actual = centered ? onTheFly.StarMean(h) : onTheFly.Mean(h);
        }

        Assert.Equal(Values(expected), Values(actual));
    }

    [Fact]
    public void FullNeighborhood_WithGradient_Refuses()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = GraphFixtures.RandomGraph(5, 4, new Random(1));
        using var neighborhood = new FullNeighborhood(graph, 3f, CPU, threads: 1);

        Assert.Throws<InvalidOperationException>(() => neighborhood.Mean(torch.zeros([graph.Nodes, 2]).requires_grad_(true)));
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    // NaN-filled: every output value must be written by the kernel.
    private static float[] Filled(int length) => Enumerable.Repeat(float.NaN, length).ToArray();

    private static float[] RandomValues(int length, Random random) => [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    // Rows of distinct ascending columns (base..base+columns−1), about a third of them empty.
    private static SparseMatrix AscendingCsr(int rows, int columns, int columnBase, Random random)
    {
        var offsets = new long[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            if (random.Next(3) != 0)
            {
                for (int c = 0; c < columns; c++)
                {
                    if (random.NextDouble() < 0.4)
                    {
                        indices.Add(columnBase + c);
                        values.Add((float)((random.NextDouble() * 2) - 1));
                    }
                }
            }

            offsets[r + 1] = indices.Count;
        }

        return new SparseMatrix(rows, columnBase + columns, offsets, indices.ToArray(), values.ToArray());
    }
}
