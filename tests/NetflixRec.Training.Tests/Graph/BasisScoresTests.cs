using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>GC-MC's fused decoder scores against torch's ops (forward values and the three gradients).</summary>
[Collection(TorchCollection.Name)]
public sealed class BasisScoresTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(5, 7, 2, 2)]
    [InlineData(3000, 32, 2, 3)]
    [InlineData(4100, 33, 3, 4)]
    [InlineData(17, 16, 1, 5)]
    [InlineData(0, 8, 2, 6)]
    public void Apply_RandomShapes_MatchesTorchOpsAndTheirGradients(int n, int d, int bases, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        Tensor users = randn([n, d], generator: generator), movies = randn([n, d], generator: generator);
        Tensor p = randn([bases, d, d], generator: generator) / Math.Sqrt(d), upstream = randn([n, bases], generator: generator);
        var fused = (U: users.clone().requires_grad_(true), V: movies.clone().requires_grad_(true), P: p.clone().requires_grad_(true));
        var torchOps = (U: users.clone().requires_grad_(true), V: movies.clone().requires_grad_(true), P: p.clone().requires_grad_(true));

        Tensor actual = BasisScores.Apply(fused.U, fused.V, fused.P, threads: 2);
        Tensor expected = Reference(torchOps.U, torchOps.V, torchOps.P);
        (actual * upstream).sum().backward();
        (expected * upstream).sum().backward();

        AssertClose(expected, actual);
        AssertClose(torchOps.U.grad!, fused.U.grad!);
        AssertClose(torchOps.V.grad!, fused.V.grad!);
        AssertClose(torchOps.P.grad!, fused.P.grad!);
    }

    [Fact]
    public void Passes_EveryWidth_MatchTorchOps()
    {
        using DisposeScope scope = NewDisposeScope();
        const int N = 2100, D = 37, Bases = 2;
        var generator = new Generator(9);
        Tensor users = randn([N, D], generator: generator).requires_grad_(true), movies = randn([N, D], generator: generator).requires_grad_(true);
        Tensor p = (randn([Bases, D, D], generator: generator) / Math.Sqrt(D)).requires_grad_(true), upstream = randn([N, Bases], generator: generator);
        Tensor expected = Reference(users, movies, p);
        (expected * upstream).sum().backward();

        foreach (SimdWidth width in SimdWidths.All)
        {
            (float[] scores, float[] du, float[] dv, float[] dp) = BasisScores.Passes(width, Values(users), Values(movies), Values(p), Values(upstream), D, Bases, threads: 2);

            AssertClose(Values(expected), scores);
            AssertClose(Values(users.grad!), du);
            AssertClose(Values(movies.grad!), dv);
            AssertClose(Values(p.grad!), dp);
        }
    }

    [Fact]
    public void Apply_AnyThreadCount_GivesTheSameFloats()
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(3);
        Tensor users = randn([5000, 32], generator: generator), movies = randn([5000, 32], generator: generator);
        Tensor p = randn([2, 32, 32], generator: generator), upstream = randn([5000, 2], generator: generator);
        var runs = new List<float[][]>();
        foreach (int threads in new[] { 1, 2, 5 })
        {
            Tensor u = users.clone().requires_grad_(true), v = movies.clone().requires_grad_(true), b = p.clone().requires_grad_(true);
            Tensor scores = BasisScores.Apply(u, v, b, threads);
            (scores * upstream).sum().backward();
            runs.Add([Values(scores), Values(u.grad!), Values(v.grad!), Values(b.grad!)]);
        }

        foreach (float[][] run in runs.Skip(1))
        {
            for (int k = 0; k < run.Length; k++)
            {
                Assert.Equal(runs[0][k], run[k]);
            }
        }
    }

    [Fact]
    public void Apply_MisalignedRows_ThrowsNamingTheShapes()
    {
        using DisposeScope scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => BasisScores.Apply(zeros(4, 3), zeros(5, 3), zeros(2, 3, 3), threads: 1));

        Assert.Contains("[4, 3], [5, 3], [2, 3, 3]", error.Message, StringComparison.Ordinal);
    }

    // What the fused operation replaces: u·[P_1 … P_B] as one product, times v, summed over d.
    private static Tensor Reference(Tensor users, Tensor movies, Tensor p)
    {
        long n = users.shape[0], bases = p.shape[0], d = p.shape[1];
        Tensor projected = users.mm(p.permute(1, 0, 2).reshape(d, bases * d)).reshape(n, bases, d);
        return (projected * movies.unsqueeze(1)).sum(2);
    }

    private static void AssertClose(Tensor expected, Tensor actual) => AssertClose(Values(expected), Values(actual));

    // Sums of up to a few thousand terms in another order: relative to the larger of the value and the typical magnitude.
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Length == 0 ? 1f : Math.Max(1f, expected.Select(Math.Abs).Average());
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) <= 1e-4f * Math.Max(scale, Math.Abs(a)));
    }

    // TorchSharp's accessor cannot copy out an empty tensor.
    private static float[] Values(Tensor t) => t.numel() == 0 ? [] : t.detach().contiguous().data<float>().ToArray();
}
