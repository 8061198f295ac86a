using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>The fused sage aggregation against its composition of torch ops (dense products, concatenation).</summary>
[Collection(TorchCollection.Name)]
public sealed class SageAggregationTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(6, 9, 5, 2)]
    [InlineData(40, 90, 32, 3)]
    [InlineData(25, 25, 33, 4)]
    [InlineData(70, 300, 16, 5)]
    public void Apply_RandomBlockWithEmptyRowsAndRepeats_MatchesCompositionAndGradient(int destinations, int sources, int width, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var random = new Random(seed);
        SampledBlock block = RandomBlock(destinations, sources, random);
        Tensor start = torch.randn([sources, width], generator: new Generator((ulong)seed));
        Tensor upstream = torch.randn([destinations, 3 * width], generator: new Generator((ulong)seed + 1));
        Tensor fusedInput = start.clone().requires_grad_(true), composedInput = start.clone().requires_grad_(true);
        Tensor mean = torch.tensor(block.Mean.ToDense(), [destinations, sources]);
        Tensor stars = torch.tensor(block.CenteredStars.ToDense(), [destinations, sources]);

        Tensor fused = new SageAggregation(block, threads: 2).Apply(fusedInput);
        Tensor composed = torch.cat([composedInput.narrow(0, 0, destinations), mean.mm(composedInput), stars.mm(composedInput)], 1);
        (fused * upstream).sum().backward();
        (composed * upstream).sum().backward();

        Assert.Equal(new long[] { destinations, 3 * width }, fused.shape);
        Assert.Equal(composed.data<float>().ToArray(), fused.data<float>().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
        Assert.Equal(composedInput.grad!.data<float>().ToArray(), fusedInput.grad!.data<float>().ToArray(),
            (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
    }

    [Fact]
    public void Apply_ForwardMeans_AreTheSparseProductsFloats()
    {
        // The means are the CSR kernel's products to the bit: same terms, same order per row.
        using DisposeScope scope = torch.NewDisposeScope();
        SampledBlock block = RandomBlock(50, 120, new Random(9));
        Tensor h = torch.randn([120, 24], generator: new Generator(9));
        using var mean = new SparseOperator(block.Mean, CPU, threads: 2);
        using var stars = new SparseOperator(block.CenteredStars, CPU, threads: 2);

        Tensor fused = new SageAggregation(block, threads: 2).Apply(h);

        Assert.Equal(mean.Multiply(h).data<float>().ToArray(), fused.narrow(1, 24, 24).contiguous().data<float>().ToArray());
        Assert.Equal(stars.Multiply(h).data<float>().ToArray(), fused.narrow(1, 48, 24).contiguous().data<float>().ToArray());
    }

    [Fact]
    public void Apply_WrongRowCount_ThrowsNamingTheShape()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        SampledBlock block = RandomBlock(3, 8, new Random(1));

        var error = Assert.Throws<ArgumentException>(() => new SageAggregation(block, threads: 1).Apply(torch.ones(7, 4)));

        Assert.Contains("8 rows", error.Message, StringComparison.Ordinal);
    }

    // Destinations are the first sources (as the sampler numbers them); some rows empty, some sources drawn twice.
    private static SampledBlock RandomBlock(int destinations, int sources, Random random)
    {
        var offsets = new long[destinations + 1];
        var columns = new List<int>();
        var weights = new List<float>();
        var stars = new List<float>();
        for (int r = 0; r < destinations; r++)
        {
            int taken = random.Next(4) == 0 ? 0 : random.Next(1, 6);
            for (int k = 0; k < taken; k++)
            {
                columns.Add(random.Next(sources));
                weights.Add(1f / taken);
                stars.Add((float)(random.Next(1, 6) - 3.6) / taken);
            }

            offsets[r + 1] = columns.Count;
        }

        long[] nodes = [.. Enumerable.Range(0, sources).Select(i => (long)i)];
        return new SampledBlock(nodes,
            new SparseMatrix(destinations, sources, offsets, columns.ToArray(), weights.ToArray()),
            new SparseMatrix(destinations, sources, offsets, columns.ToArray(), stars.ToArray()));
    }
}
