using System.Runtime.InteropServices;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using TorchSharp.Modules;
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

    [Fact]
    public void LevelTransposeKernel_StepReverseCumulative_IsAdamOnProductThenReverseCumsum_EveryWidth()
    {
        BipartiteGraph graph = RandomGraph(37, 19, new Random(21));
        SparseMatrix movies = NormalizedAdjacency.ByLevel(graph, userRows: false, Levels);
        var kernel = new LevelTransposeKernel(movies, Levels, threads: 3);
        var random = new Random(22);
        foreach (int width in new[] { 1, 7, 8, 17, 64 })
        {
            using DisposeScope scope = torch.NewDisposeScope();
            float[] g = [.. Enumerable.Range(0, 37 * width).Select(_ => (float)(random.NextDouble() - 0.5) * 100)];
            Tensor start = torch.randn([Levels, 19, width], generator: new Generator((ulong)width));
            var product = new float[Levels * 19 * width];
            kernel.Multiply(g, product, width);
            Tensor gradient = torch.tensor(product, [Levels, 19L * width]);
            GcmcAdjacency.ReverseCumulativeSum(gradient, Levels, threads: 1);
            var expected = new Parameter(start.clone());
            expected.grad = gradient.reshape(start.shape);
            using (var whole = new FusedAdam([expected], 0.01))
            {
                whole.Step();
            }

            foreach (SimdWidth simd in SimdWidths.All)
            {
                var actual = new Parameter(start.clone());
                using var optimizer = new InBackwardAdam(actual, 0.01);
                GCHandle pinned = GCHandle.Alloc(g, GCHandleType.Pinned);
                try
                {
                    kernel.StepReverseCumulative(simd, pinned.AddrOfPinnedObject(), g.Length, optimizer.Begin(), width);
                }
                finally
                {
                    pinned.Free();
                }

                Assert.Equal(Values(expected), Values(actual));
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 0.0)]
    [InlineData(40, 23, 17, 3, 0.0)]
    [InlineData(9, 70, 64, 4, 0.0)]
    [InlineData(33, 12, 20, 5, 0.05)]
    public void MovieMessages_InBackwardAdam_UpdatesAsFusedAdamOnAutogradsGradient(int users, int movies, int hidden, int seed, double weightDecay)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // Random graphs leave some users without ratings: their rows take a zero gradient, and still a step.
        BipartiteGraph graph = RandomGraph(users, movies, new Random(seed));
        using var adjacency = new GcmcAdjacency(graph, Levels, CPU, threads: 3);
        var generator = new Generator((ulong)seed);
        Tensor start = torch.randn([Levels, users, hidden], generator: generator);
        var kept = new Parameter(start.clone());
        var updated = new Parameter(start.clone());
        using var whole = new FusedAdam([kept], 0.02, weightDecay: weightDecay);
        using var inBackward = new InBackwardAdam(updated, 0.02, weightDecay: weightDecay);

        for (int step = 1; step <= 4; step++)
        {
            Tensor upstream = torch.randn([movies, hidden], generator: generator);
            whole.ZeroGrad();
            (adjacency.MovieMessages(kept) * upstream).sum().backward();
            whole.Step();
            (adjacency.MovieMessages(updated, inBackward) * upstream).sum().backward();

            // The same kernel on the same gradient values: the same floats, and no gradient table at all.
            Assert.Equal(Values(kept), Values(updated));
            Assert.Null(updated.grad);
            Assert.Equal(step, inBackward.Steps);
        }
    }

    [Fact]
    public void MovieMessages_InBackwardAdamOverAnotherTensor_ThrowsNamingTheOptimizer()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var adjacency = new GcmcAdjacency(RandomGraph(4, 3, new Random(1)), Levels, CPU, threads: 1);
        using var optimizer = new InBackwardAdam(new Parameter(torch.zeros(Levels, 4, 2)), 0.1);

        var error = Assert.Throws<ArgumentException>(() => adjacency.MovieMessages(torch.zeros(Levels, 4, 2).requires_grad_(true), optimizer));

        Assert.Equal("optimizer", error.ParamName);
    }

    [Fact]
    public void MovieMessages_InBackwardAdamWithTorchOps_ThrowsSayingTheKernelsAreNeeded()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var adjacency = new GcmcAdjacency(RandomGraph(4, 3, new Random(1)), Levels, CPU, threads: 1, torchOps: true);
        var weights = new Parameter(torch.zeros(Levels, 4, 2));
        using var optimizer = new InBackwardAdam(weights, 0.1);

        Assert.False(adjacency.UpdatesUsersInBackward);
        var error = Assert.Throws<InvalidOperationException>(() => adjacency.MovieMessages(weights, optimizer));
        Assert.Contains("CPU kernels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InBackwardAdam_RowOutsideTheParameter_ThrowsNamingIt()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var optimizer = new InBackwardAdam(new Parameter(torch.zeros(3, 4)), 0.1);
        InBackwardAdam.RowStep step = optimizer.Begin();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => step.Update(new float[4], [3L], 4));

        Assert.Contains("row 3", error.Message, StringComparison.Ordinal);
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
