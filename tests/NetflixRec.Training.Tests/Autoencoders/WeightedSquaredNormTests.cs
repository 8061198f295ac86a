using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>The fused row penalty against torch's <c>(x.square().sum(1) * w).sum()</c>.</summary>
[Collection(TorchCollection.Name)]
public sealed class WeightedSquaredNormTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 2)]
    [InlineData(2500, 128, 3)]
    [InlineData(1100, 33, 4)]
    public void Apply_RandomTable_MatchesTorchValueAndGradient(int rows, int width, int seed)
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        Tensor start = randn([rows, width], generator: generator);
        // Integer weights with zeros, as the per-column rating counts of a batch.
        Tensor weights = randint(0, 4, [rows], generator: generator).to(ScalarType.Float32);
        Tensor fused = start.clone().requires_grad_(true), composed = start.clone().requires_grad_(true);

        Tensor value = WeightedSquaredNorm.Apply(fused, weights, threads: 3);
        Tensor expected = (composed.square().sum(1) * weights).sum();
        (value * 0.7f).backward();
        (expected * 0.7f).backward();

        Assert.Equal(expected.item<float>(), value.item<float>(), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
        Assert.Equal(composed.grad!.data<float>().ToArray(), fused.grad!.data<float>().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(a)));
    }

    [Fact]
    public void Apply_AnyThreadCount_GivesTheSameFloat()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = randn([5000, 64], generator: new Generator(8));
        Tensor weights = rand([5000], generator: new Generator(9));

        Assert.Equal(WeightedSquaredNorm.Apply(x, weights, threads: 1).item<float>(), WeightedSquaredNorm.Apply(x, weights, threads: 4).item<float>());
    }

    [Fact]
    public void Apply_NoRows_IsZeroWithAnEmptyGradient()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = zeros(0, 8).requires_grad_(true);

        Tensor value = WeightedSquaredNorm.Apply(x, zeros(0), threads: 2);
        value.backward();

        Assert.Equal(0f, value.item<float>());
        Assert.Equal(new long[] { 0, 8 }, x.grad!.shape);
    }

    [Fact]
    public void Apply_OneWeightShort_ThrowsNamingTheShapes()
    {
        using DisposeScope scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => WeightedSquaredNorm.Apply(zeros(4, 2), zeros(3), threads: 1));

        Assert.Contains("[4, 2] and Float32 [3]", error.Message, StringComparison.Ordinal);
    }
}
