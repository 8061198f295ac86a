using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>
/// GC-MC's fused products (cumsum over levels inside the autograd function, backward over the other side's matrix)
/// against what they replace: torch's cumsum and the CSR operator with a stored transpose, and torch's dense product.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class GcmcAdjacencyTests
{
    private const int Levels = 5;

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(6, 4, 3, 2)]
    [InlineData(40, 23, 17, 3)]
    [InlineData(9, 70, 64, 4)]
    public void Messages_RandomGraphWithIsolatedNodes_EqualTorchCumsumAndCsrOperator(int users, int movies, int hidden, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = RandomGraph(users, movies, new Random(seed));
        using var adjacency = new GcmcAdjacency(graph, Levels, CPU, threads: 2);
        using var userOperator = new SparseOperator(NormalizedAdjacency.ByLevel(graph, userRows: true, Levels), CPU, threads: 2);
        using var movieOperator = new SparseOperator(NormalizedAdjacency.ByLevel(graph, userRows: false, Levels), CPU, threads: 3);
        var generator = new Generator((ulong)seed);
        Tensor userLevels = torch.randn([Levels, users, hidden], generator: generator);
        Tensor movieLevels = torch.randn([Levels, movies, hidden], generator: generator);
        Tensor userUpstream = torch.randn([users, hidden], generator: generator);
        Tensor movieUpstream = torch.randn([movies, hidden], generator: generator);
        (Tensor u1, Tensor m1) = (userLevels.clone().requires_grad_(true), movieLevels.clone().requires_grad_(true));
        (Tensor u2, Tensor m2) = (userLevels.clone().requires_grad_(true), movieLevels.clone().requires_grad_(true));

        Tensor fusedUsers = adjacency.UserMessages(m1);
        Tensor fusedMovies = adjacency.MovieMessages(u1);
        Tensor referenceUsers = userOperator.Multiply(m2.cumsum(0).reshape(Levels * movies, hidden));
        Tensor referenceMovies = movieOperator.Multiply(u2.cumsum(0).reshape(Levels * users, hidden));
        ((fusedUsers * userUpstream).sum() + (fusedMovies * movieUpstream).sum()).backward();
        ((referenceUsers * userUpstream).sum() + (referenceMovies * movieUpstream).sum()).backward();

        // Bit for bit where the kernels add in the reference's order; the movie messages sum over users, not level by level.
        Assert.Equal(Values(referenceUsers), Values(fusedUsers));
        Assert.Equal(Values(referenceMovies), Values(fusedMovies), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
        Assert.Equal(Values(m2.grad!), Values(m1.grad!));
        Assert.Equal(Values(u2.grad!), Values(u1.grad!));
    }

    [Theory]
    [InlineData(6, 4, 3, 5)]
    [InlineData(30, 11, 8, 6)]
    public void Messages_TorchOpsFallback_MatchesDenseProductAndGradient(int users, int movies, int hidden, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = RandomGraph(users, movies, new Random(seed));
        using var kernels = new GcmcAdjacency(graph, Levels, CPU, threads: 2);
        using var torchOps = new GcmcAdjacency(graph, Levels, CPU, threads: 2, torchOps: true);
        Tensor denseUsers = torch.tensor(kernels.UserRows.ToDense(), [users, Levels * movies]);
        Tensor denseMovies = torch.tensor(NormalizedAdjacency.ByLevel(graph, userRows: false, Levels).ToDense(), [movies, Levels * users]);
        var generator = new Generator((ulong)seed);
        Tensor userLevels = torch.randn([Levels, users, hidden], generator: generator);
        Tensor movieLevels = torch.randn([Levels, movies, hidden], generator: generator);
        Tensor upstream = torch.randn([users + movies, hidden], generator: generator);
        var runs = new List<(Tensor Output, Tensor UserGrad, Tensor MovieGrad)>();
        foreach (Func<Tensor, Tensor, Tensor> encode in new Func<Tensor, Tensor, Tensor>[]
        {
            (u, m) => torch.cat([kernels.UserMessages(m), kernels.MovieMessages(u)]),
            (u, m) => torch.cat([torchOps.UserMessages(m), torchOps.MovieMessages(u)]),
            (u, m) => torch.cat([denseUsers.mm(m.cumsum(0).reshape(Levels * movies, hidden)), denseMovies.mm(u.cumsum(0).reshape(Levels * users, hidden))]),
        })
        {
            Tensor u = userLevels.clone().requires_grad_(true), m = movieLevels.clone().requires_grad_(true);
            Tensor output = encode(u, m);
            (output * upstream).sum().backward();
            runs.Add((output, u.grad!, m.grad!));
        }

        foreach ((Tensor output, Tensor userGrad, Tensor movieGrad) in runs.Skip(1))
        {
            Assert.Equal(Values(runs[0].Output), Values(output), (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(Values(runs[0].UserGrad), Values(userGrad), (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(Values(runs[0].MovieGrad), Values(movieGrad), (a, b) => Math.Abs(a - b) < 1e-5);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(5, 200_001)]
    public void ReverseCumulativeSum_EqualsTorchFlipCumsumFlip(int levels, int width)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = torch.randn([levels, width], generator: new Generator(7)) * 1000;
        Tensor expected = x.flip(0).cumsum(0).flip(0);
        Tensor actual = x.clone();

        GcmcAdjacency.ReverseCumulativeSum(actual, levels, threads: 2);

        Assert.Equal(Values(expected), Values(actual));
    }

    [Fact]
    public void LevelTransposeKernel_EqualsProductWithTheStoredTranspose()
    {
        BipartiteGraph graph = RandomGraph(25, 13, new Random(11));
        SparseMatrix users = NormalizedAdjacency.ByLevel(graph, userRows: true, Levels);
        SparseMatrix movies = NormalizedAdjacency.ByLevel(graph, userRows: false, Levels);
        const int Width = 6;
        var random = new Random(12);
        float[] g = [.. Enumerable.Range(0, 25 * Width).Select(_ => (float)random.NextDouble())];
        var expected = new float[Levels * 13 * Width];
        var actual = new float[expected.Length];

        new SparseKernel(SparseKernel.Transpose(users), threads: 2).Multiply(g, expected, Width);
        new LevelTransposeKernel(movies, Levels, threads: 3).Multiply(g, actual, Width);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(40, 23, 17, 3)]
    [InlineData(9, 70, 64, 4)]
    public void MovieMessages_KeptGradient_AddsTheSameGradientInPlace(int users, int movies, int hidden, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        BipartiteGraph graph = RandomGraph(users, movies, new Random(seed));
        using var adjacency = new GcmcAdjacency(graph, Levels, CPU, threads: 2);
        var generator = new Generator((ulong)seed);
        Tensor userLevels = torch.randn([Levels, users, hidden], generator: generator);
        Tensor upstream = torch.randn([movies, hidden], generator: generator);
        Tensor earlier = torch.randn([Levels, users, hidden], generator: generator);

        // Fresh: autograd builds the gradient (the product, then the reverse cumulative sum).
        Tensor fresh = userLevels.clone().requires_grad_(true);
        (adjacency.MovieMessages(fresh) * upstream).sum().backward();
        // Kept, holding zeros (a step after zero_grad) and holding an earlier sum: the backward adds into it in place.
        foreach (Tensor start in new[] { torch.zeros_like(earlier), earlier })
        {
            Tensor kept = userLevels.clone().requires_grad_(true);
            Tensor storage = start.clone();
            kept.grad = storage;
            (adjacency.MovieMessages(kept) * upstream).sum().backward();

            Assert.Equal(Values(start + fresh.grad!), Values(storage));
            Assert.Equal(Values(storage), Values(kept.grad!));
        }
    }

    [Fact]
    public void LevelTransposeKernel_AddReverseCumulative_EqualsProductThenReverseCumsumThenAdd_EveryWidth()
    {
        BipartiteGraph graph = RandomGraph(37, 19, new Random(21));
        SparseMatrix movies = NormalizedAdjacency.ByLevel(graph, userRows: false, Levels);
        var kernel = new LevelTransposeKernel(movies, Levels, threads: 3);
        var random = new Random(22);
        foreach (int width in new[] { 1, 7, 8, 17, 64 })
        {
            float[] g = [.. Enumerable.Range(0, 37 * width).Select(_ => (float)(random.NextDouble() - 0.5) * 100)];
            float[] start = [.. Enumerable.Range(0, Levels * 19 * width).Select(_ => (float)random.NextDouble())];
            var product = new float[start.Length];
            kernel.Multiply(g, product, width);
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                Tensor stacked = torch.tensor(product, [Levels, 19L * width]);
                GcmcAdjacency.ReverseCumulativeSum(stacked, Levels, threads: 1);
                float[] expected = Values(torch.tensor(start) + stacked.flatten());
                foreach (SimdWidth simd in SimdWidths.All)
                {
                    float[] actual = (float[])start.Clone();
                    kernel.AddReverseCumulative(simd, g, actual, width);

                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    [Fact]
    public void Messages_WrongShape_ThrowsNamingTheExpectedShape()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var adjacency = new GcmcAdjacency(RandomGraph(4, 3, new Random(1)), Levels, CPU, threads: 1);

        var error = Assert.Throws<ArgumentException>(() => adjacency.UserMessages(torch.zeros(Levels, 4, 2)));

        Assert.Contains("[5, 3, hidden]", error.Message, StringComparison.Ordinal);
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    private static BipartiteGraph RandomGraph(int users, int movies, Random random) => GraphFixtures.RandomGraph(users, movies, random);
}
