using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>The sampled output product against torch's gather–multiply–sum formulation (<see cref="MaskedLoss.GatherOutput"/>).</summary>
[Collection(TorchCollection.Name)]
public sealed class SampledDotProductTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(5, 9, 7, 2)]
    [InlineData(40, 300, 128, 3)]
    [InlineData(64, 2000, 33, 4)]
    [InlineData(3, 50, 16, 5)]
    public void SampledOutput_RandomBatchWithEmptyRowsAndRepeats_MatchesGatheredValuesAndGradients(int rows, int columns, int width, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        var random = new Random(seed);
        (SparseMatrix pattern, long[] entryRow, long[] entryColumn) = RandomPattern(rows, columns, random);
        var generator = new Generator((ulong)seed);
        Tensor code = randn([rows, width], generator: generator), output = randn([columns, width], generator: generator);
        Tensor bias = randn([columns], generator: generator), upstream = randn([pattern.NonZeros], generator: generator);
        Tensor kernelCode = code.clone().requires_grad_(true), kernelOutput = output.clone().requires_grad_(true);
        Tensor torchCode = code.clone().requires_grad_(true), torchOutput = output.clone().requires_grad_(true);

        Tensor sampled = MaskedLoss.SampledOutput(pattern, kernelCode, kernelOutput, bias, tensor(entryColumn), threads: 3);
        Tensor gathered = MaskedLoss.GatherOutput(torchCode, torchOutput, bias, tensor(entryRow), tensor(entryColumn));
        (sampled * upstream).sum().backward();
        (gathered * upstream).sum().backward();

        Assert.Equal(gathered.data<float>().ToArray(), sampled.data<float>().ToArray(), Close);
        Assert.Equal(torchCode.grad!.data<float>().ToArray(), kernelCode.grad!.data<float>().ToArray(), Close);
        Assert.Equal(torchOutput.grad!.data<float>().ToArray(), kernelOutput.grad!.data<float>().ToArray(), Close);
    }

    public static TheoryData<string> Widths() => [.. SimdWidths.All.Select(w => w.ToString())];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Forward_EverySimdWidth_IsTheDotProductOfEachEntry(string simdName)
    {
        SimdWidth simd = Enum.Parse<SimdWidth>(simdName);
        var random = new Random(11);
        const int Width = 37;
        (SparseMatrix pattern, long[] entryRow, long[] entryColumn) = RandomPattern(30, 70, random);
        float[] code = [.. Enumerable.Range(0, 30 * Width).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] table = [.. Enumerable.Range(0, 70 * Width).Select(_ => (float)random.NextDouble() - 0.5f)];

        float[] values = SampledDotProduct.Forward(pattern, code, table, Width, threads: 2, simd);

        for (int e = 0; e < values.Length; e++)
        {
            double expected = 0;
            for (int j = 0; j < Width; j++)
            {
                expected += (double)code[(entryRow[e] * Width) + j] * table[(entryColumn[e] * Width) + j];
            }

            Assert.Equal(expected, values[e], 1e-5);
        }
    }

    [Fact]
    public void Forward_AnyThreadCount_GivesTheSameFloats()
    {
        var random = new Random(5);
        const int Width = 64;
        (SparseMatrix pattern, _, _) = RandomPattern(200, 3000, random);
        float[] code = [.. Enumerable.Range(0, 200 * Width).Select(_ => (float)random.NextDouble())];
        float[] table = [.. Enumerable.Range(0, 3000 * Width).Select(_ => (float)random.NextDouble())];

        float[] one = SampledDotProduct.Forward(pattern, code, table, Width, threads: 1, SimdWidths.Best);
        float[] four = SampledDotProduct.Forward(pattern, code, table, Width, threads: 4, SimdWidths.Best);

        Assert.True(pattern.NonZeros > 4096, "the pattern must span several parts");
        Assert.Equal(one, four);
    }

    [Fact]
    public void Apply_CodeOfTheWrongShape_ThrowsNamingTheShapes()
    {
        using DisposeScope scope = NewDisposeScope();
        (SparseMatrix pattern, _, _) = RandomPattern(4, 6, new Random(2));

        var error = Assert.Throws<ArgumentException>(() => SampledDotProduct.Apply(pattern, zeros(5, 3), zeros(6, 3), threads: 1));

        Assert.Contains("pattern 4×6, code 5×3", error.Message, StringComparison.Ordinal);
    }

    private static bool Close(float a, float b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a));

    // Entries grouped by row in row order (as SparseBatcher builds them), some rows empty, some columns repeated in a row.
    private static (SparseMatrix Pattern, long[] EntryRow, long[] EntryColumn) RandomPattern(int rows, int columns, Random random)
    {
        var offsets = new long[rows + 1];
        var entryRow = new List<long>();
        var entryColumn = new List<long>();
        for (int r = 0; r < rows; r++)
        {
            int count = random.Next(4) == 0 ? 0 : random.Next(1, Math.Min(columns, 200) + 1);
            for (int k = 0; k < count; k++)
            {
                entryRow.Add(r);
                entryColumn.Add(random.Next(columns));
            }

            offsets[r + 1] = entryRow.Count;
        }

        if (entryRow.Count == 0)
        {
            entryRow.Add(0);
            entryColumn.Add(0);
            Array.Fill(offsets, 1, 1, rows);
        }

        var pattern = new SparseMatrix(rows, columns, offsets, entryColumn.Select(c => (int)c).ToArray(), new float[entryRow.Count]);
        return (pattern, [.. entryRow], [.. entryColumn]);
    }
}
