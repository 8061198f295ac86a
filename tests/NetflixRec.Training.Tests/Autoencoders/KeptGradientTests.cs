using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>
/// The masked autoencoders' table rows on the CPU: gathered into kept storage with a zeroed gradient in place, which the
/// first layer's product, the sampled output product and the row penalty add into. Held to plain leaves whose gradients
/// autograd builds and sums itself.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class KeptGradientTests
{
    [Theory]
    [InlineData(3, 10, 4, 1)]
    [InlineData(20, 300, 33, 2)]
    [InlineData(64, 2000, 128, 3)]
    public void GatheredRows_ThreeConsumers_GradientAddsUpAsAutogradsOwn(int batchRows, int tableRows, int width, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        var random = new Random(seed);
        var generator = new Generator((ulong)seed);
        using var adam = new RowAdam(randn([tableRows, width], generator: generator), learningRate: 0.01);
        long[] picked = [.. Enumerable.Range(0, tableRows).OrderBy(_ => random.Next()).Take(tableRows / 2).Select(r => (long)r)];
        SparseMatrix pattern = RandomPattern(batchRows, picked.Length, random);
        Tensor code = randn([batchRows, width], generator: generator);
        Tensor weights = randint(0, 5, [picked.Length], generator: generator).to(ScalarType.Float32);
        Tensor upstream = randn([pattern.NonZeros], generator: generator), upstreamFirst = randn([batchRows, width], generator: generator);

        for (int step = 1; step <= 2; step++)
        {
            // Twice: the second gather must hand out a zeroed gradient again, not the first step's sums.
            Tensor kept = adam.Gather(tensor(picked));
            Tensor plain = adam.Table.index_select(0, tensor(picked)).requires_grad_(true);
            Loss(kept, pattern, code, weights, upstream, upstreamFirst).backward();
            Loss(plain, pattern, code, weights, upstream, upstreamFirst).backward();

            Assert.Equal(plain.data<float>().ToArray(), kept.data<float>().ToArray());
            Assert.Equal(plain.grad!.data<float>().ToArray(), kept.grad!.data<float>().ToArray(),
                (a, b) => Math.Abs(a - b) <= 1e-4f * Math.Max(1f, Math.Abs(a)));
        }
    }

    [Fact]
    public void Gather_RowOutsideTheTable_ThrowsNamingTheRow()
    {
        using DisposeScope scope = NewDisposeScope();
        using var adam = new RowAdam(zeros(4, 2), learningRate: 0.1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => adam.Gather(tensor(new long[] { 0, 7 })));

        Assert.Contains("row 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_GivesZeroGradientsOnlyWhereThereAreNone()
    {
        using DisposeScope scope = NewDisposeScope();
        var fresh = new TorchSharp.Modules.Parameter(ones(3, 2));
        var trained = new TorchSharp.Modules.Parameter(ones(2));
        (trained * 5).sum().backward();

        KeptGradient.Prepare([fresh, trained]);

        Assert.Equal(new float[6], fresh.grad!.data<float>().ToArray());
        Assert.Equal(new[] { 5f, 5f }, trained.grad!.data<float>().ToArray());
        // The prepared gradient is kept: the next backward adds into it.
        (fresh * 2).sum().backward();
        Assert.Equal(Enumerable.Repeat(2f, 6), fresh.grad!.data<float>().ToArray());
    }

    // What the autoencoder's step asks of its gathered input and output rows, here of one table.
    private static Tensor Loss(Tensor rows, SparseMatrix pattern, Tensor code, Tensor weights, Tensor upstream, Tensor upstreamFirst)
    {
        using var firstLayer = new SparseOperator(pattern with { Values = RandomValues(pattern) }, CPU, threads: 2, addsIntoKeptGradient: true);
        Tensor output = SampledDotProduct.Apply(pattern, code, rows, threads: 2);
        return (output * upstream).sum() + (firstLayer.Multiply(rows) * upstreamFirst).sum() + (0.3f * WeightedSquaredNorm.Apply(rows, weights, threads: 2));
    }

    private static float[] RandomValues(SparseMatrix pattern) =>
        [.. Enumerable.Range(0, (int)pattern.NonZeros).Select(e => 1f + (e % 5))];

    private static SparseMatrix RandomPattern(int rows, int columns, Random random)
    {
        var offsets = new long[rows + 1];
        var entries = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            // Distinct columns per row, as a user's or movie's ratings; every third row empty.
            entries.AddRange(r % 3 == 2 ? [] : Enumerable.Range(0, columns).OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(columns, 60) + 1)));
            offsets[r + 1] = entries.Count;
        }

        return new SparseMatrix(rows, columns, offsets, entries.ToArray(), new float[entries.Count]);
    }
}
