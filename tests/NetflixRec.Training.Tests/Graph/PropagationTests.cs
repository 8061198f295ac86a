using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

[Collection(TorchCollection.Name)]
public sealed class PropagationTests
{
    // Layer-0 embeddings of u0 u1 u2 m0 m1 m2 (2 dimensions).
    private static readonly float[] s_embeddings = [1, 0, 0, 1, 2, 2, 1, -1, 3, 0, 0, 4];

    [Fact]
    public void Step_HandBuilt3x3Graph_EqualsHandComputedAggregation()
    {
        torch.set_num_threads(1);
        using DisposeScope scope = torch.NewDisposeScope();
        using var adjacency = new SparseOperator(NormalizedAdjacency.Symmetric(GraphFixtures.ThreeByThreeGraph), CPU, threads: 1, symmetric: true);
        Tensor e = torch.tensor(s_embeddings, [6, 2]);

        float[] next = LightGcnPropagation.Step(adjacency, e).data<float>().ToArray();

        // By hand: u0 = m0/√2 + m1/√6; u1 = m1/√3; u2 = m1/√6 + m2/√2; m0 = u0/√2; m1 = u0/√6 + u1/√3 + u2/√6; m2 = u2/√2.
        double h = 1 / Math.Sqrt(2), s = 1 / Math.Sqrt(6), t = 1 / Math.Sqrt(3);
        double[] expected =
        [
            (1 * h) + (3 * s), (-1 * h) + (0 * s),
            3 * t, 0,
            (3 * s) + (0 * h), (0 * s) + (4 * h),
            1 * h, 0,
            (1 * s) + (0 * t) + (2 * s), (0 * s) + (1 * t) + (2 * s),
            2 * h, 2 * h,
        ];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - next[i]) < 1e-5, $"value {i}: expected {expected[i]}, got {next[i]}");
        }
    }

    [Fact]
    public void Combine_OneLayer_AveragesEmbeddingsAndTheirPropagation()
    {
        torch.set_num_threads(1);
        using DisposeScope scope = torch.NewDisposeScope();
        using var adjacency = new SparseOperator(NormalizedAdjacency.Symmetric(GraphFixtures.ThreeByThreeGraph), CPU, threads: 1, symmetric: true);
        Tensor e = torch.tensor(s_embeddings, [6, 2]);

        float[] combined = LightGcnPropagation.Combine(adjacency, e, 1).data<float>().ToArray();
        float[] step = LightGcnPropagation.Step(adjacency, e).data<float>().ToArray();

        for (int i = 0; i < combined.Length; i++)
        {
            Assert.Equal((s_embeddings[i] + step[i]) / 2, combined[i], 1e-5);
        }
    }

    [Fact]
    public void Step_Backward_GradientIsTransposedAdjacencyTimesUpstream()
    {
        torch.set_num_threads(1);
        using DisposeScope scope = torch.NewDisposeScope();
        SparseMatrix sparse = NormalizedAdjacency.Mean(GraphFixtures.ThreeByThreeGraph, _ => 1f);
        using var adjacency = new SparseOperator(sparse, CPU, threads: 2);
        Tensor e = torch.tensor(s_embeddings, [6, 2]).requires_grad_(true);

        LightGcnPropagation.Step(adjacency, e).sum().backward();

        // d(sum(A e))/de_j = Σ_i A_ij for every dimension: column sums of the (non-symmetric) mean adjacency.
        float[] dense = sparse.ToDense();
        float[] gradient = e.grad!.data<float>().ToArray();
        for (int j = 0; j < 6; j++)
        {
            float columnSum = Enumerable.Range(0, 6).Sum(i => dense[(i * 6) + j]);
            Assert.Equal(columnSum, gradient[j * 2], 1e-5);
            Assert.Equal(columnSum, gradient[(j * 2) + 1], 1e-5);
        }
    }

    [Fact]
    public void Multiply_CsrKernel_MatchesTorchSparseProductAndGradient()
    {
        torch.set_num_threads(1);
        using DisposeScope scope = torch.NewDisposeScope();
        SparseMatrix sparse = NormalizedAdjacency.ByLevel(GraphFixtures.ThreeByThreeGraph, userRows: false, levels: 5);
        using var kernel = new SparseOperator(sparse, CPU, threads: 3);
        Tensor torchSparse = sparse.ToTorch(CPU);
        float[] values = [.. Enumerable.Range(0, 15 * 4).Select(i => (float)Math.Sin(i))];
        Tensor x1 = torch.tensor(values, [15, 4]).requires_grad_(true);
        Tensor x2 = torch.tensor(values, [15, 4]).requires_grad_(true);
        Tensor weights = torch.tensor([.. Enumerable.Range(0, 3 * 4).Select(i => (float)i)], [3, 4]);

        Tensor y1 = kernel.Multiply(x1);
        Tensor y2 = torchSparse.mm(x2);
        (y1 * weights).sum().backward();
        (y2 * weights).sum().backward();

        Assert.Equal(y2.data<float>().ToArray(), y1.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(x2.grad!.data<float>().ToArray(), x1.grad!.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }
}
