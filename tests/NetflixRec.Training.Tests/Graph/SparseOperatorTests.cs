using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>The CSR operator (which reads and writes torch storage in place) against torch's dense product.</summary>
[Collection(TorchCollection.Name)]
public sealed class SparseOperatorTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(40, 23, 17, 3)]
    [InlineData(3, 60, 64, 4)]
    public void Multiply_RandomMatrixWithEmptyRowsAndRepeats_MatchesDenseProductAndGradient(int rows, int columns, int width, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var random = new Random(seed);
        SparseMatrix sparse = RandomCsr(rows, columns, random);
        using var op = new SparseOperator(sparse, CPU, threads: 2);
        Tensor dense = torch.tensor(sparse.ToDense(), [rows, columns]);
        float[] values = [.. Enumerable.Range(0, columns * width).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        // A transposed view: not contiguous, so the operator must take a contiguous copy before reading storage.
        Tensor x1 = torch.tensor(values, [width, columns]).t().requires_grad_(true);
        Tensor x2 = torch.tensor(values, [width, columns]).t().requires_grad_(true);
        Tensor upstream = torch.randn(rows, width, generator: new Generator((ulong)seed));

        Tensor y1 = op.Multiply(x1);
        Tensor y2 = dense.mm(x2);
        (y1 * upstream).sum().backward();
        (y2 * upstream).sum().backward();

        Assert.Equal(new long[] { rows, width }, y1.shape);
        Assert.Equal(y2.data<float>().ToArray(), y1.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(x2.grad!.contiguous().data<float>().ToArray(), x1.grad!.contiguous().data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Theory]
    [InlineData(7, 5, 3, 2, false)]
    [InlineData(40, 23, 17, 3, false)]
    [InlineData(30, 30, 8, 5, true)]
    public void Multiply_TorchOpsFallback_MatchesCsrKernelAndGradient(int rows, int columns, int width, int seed, bool symmetric)
    {
        // The path a CUDA device takes (torch's sparse mm), forced on the CPU, against the managed kernel.
        using DisposeScope scope = torch.NewDisposeScope();
        var random = new Random(seed);
        SparseMatrix sparse = RandomCsr(rows, columns, random);
        if (symmetric)
        {
            sparse = Symmetrize(sparse);
        }

        using var kernel = new SparseOperator(sparse, CPU, threads: 2, symmetric);
        using var fallback = new SparseOperator(sparse, CPU, threads: 2, symmetric, torchOps: true);
        Tensor x = torch.randn([columns, width], generator: new Generator((ulong)seed));
        Tensor upstream = torch.randn([rows, width], generator: new Generator((ulong)seed + 1));
        Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);

        Tensor y1 = kernel.Multiply(x1);
        Tensor y2 = fallback.Multiply(x2);
        (y1 * upstream).sum().backward();
        (y2 * upstream).sum().backward();

        Assert.Equal(y1.data<float>().ToArray(), y2.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(x1.grad!.data<float>().ToArray(), x2.grad!.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Multiply_DoubleInput_ThrowsNamingTheType()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var op = new SparseOperator(RandomCsr(2, 2, new Random(1)), CPU, threads: 1);

        var error = Assert.ThrowsAny<Exception>(() => op.Multiply(torch.ones(2, 3, ScalarType.Float64)));

        Assert.Contains("float32", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Kernel_ColumnOutsideTheMatrix_RejectedWhenBuiltNamingIt(int column)
    {
        var matrix = new SparseMatrix(2, 3, new long[] { 0, 1, 2 }, new[] { 0, column }, new[] { 1f, 1f });

        var error = Assert.Throws<ArgumentException>(() => new SparseKernel(matrix, threads: 1));

        Assert.Contains($"columns {Math.Min(0, column)}..{Math.Max(0, column)} outside 0..2", error.Message, StringComparison.Ordinal);
    }

    // A + Aᵀ as CSR (square A), so the operator's symmetric shortcut (backward with the forward kernel) is exact.
    private static SparseMatrix Symmetrize(SparseMatrix a)
    {
        float[] dense = a.ToDense();
        int n = a.RowCount;
        var offsets = new long[n + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                float v = dense[(r * n) + c] + dense[(c * n) + r];
                if (v != 0)
                {
                    indices.Add(c);
                    values.Add(v);
                }
            }

            offsets[r + 1] = indices.Count;
        }

        return new SparseMatrix(n, n, offsets, indices.ToArray(), values.ToArray());
    }

    // About a third of the rows empty; the others draw columns with replacement, so a row can repeat a column.
    private static SparseMatrix RandomCsr(int rows, int columns, Random random)
    {
        var offsets = new long[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            int count = random.Next(3) == 0 ? 0 : random.Next(1, 6);
            for (int k = 0; k < count; k++)
            {
                indices.Add(random.Next(columns));
                values.Add((float)((random.NextDouble() * 2) - 1));
            }

            offsets[r + 1] = indices.Count;
        }

        return new SparseMatrix(rows, columns, offsets, indices.ToArray(), values.ToArray());
    }
}
