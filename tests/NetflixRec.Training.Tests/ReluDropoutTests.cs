using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>
/// The fused dropout(relu(x)) against torch's relu then dropout with the same generator state: the same outputs, the same
/// gradients, bit for bit, over steps that reuse its kept buffer, and each SIMD width of its two passes.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ReluDropoutTests
{
    [Theory]
    [InlineData(1, 1, 0.3)]
    [InlineData(7, 3, 0.5)]
    [InlineData(1000, 64, 0.3)]
    [InlineData(3, 100_003, 0.1)]
    public void Apply_Training_EqualsTorchReluThenDropout_OverSteps(int rows, int width, double p)
    {
        using var fused = new ReluDropout(CPU, threads: 2);
        for (int step = 0; step < 2; step++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = torch.randn([rows, width], generator: new Generator((ulong)(rows + step)));
            Tensor upstream = torch.randn([rows, width], generator: new Generator((ulong)(width + step)));
            Tensor reference = x.clone().requires_grad_(true), ours = x.clone().requires_grad_(true);

            torch.manual_seed(100 + step);
            Tensor expected = nn.functional.dropout(nn.functional.relu(reference), p, training: true);
            torch.manual_seed(100 + step);
            Tensor actual = fused.Apply(ours * 1, p, training: true);
            (expected * upstream).sum().backward();
            (actual * upstream).sum().backward();

            Assert.Equal(Values(expected), Values(actual));
            Assert.Equal(Values(reference.grad!), Values(ours.grad!));
            // Both sides dropped something and kept something (the comparison is not of all zeros).
            Assert.True(rows * width < 10 || (Values(actual).Any(v => v > 0) && Values(x).Zip(Values(actual)).Any(t => t.First > 0 && t.Second == 0)));
        }
    }

    [Fact]
    public void Apply_Evaluation_IsRelu()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var fused = new ReluDropout(CPU, threads: 1);
        Tensor x = torch.randn([50, 9], generator: new Generator(3));

        Assert.Equal(Values(nn.functional.relu(x)), Values(fused.Apply(x, 0.3, training: false)));
    }

    [Fact]
    public void Passes_EveryWidth_EqualTheScalarDefinition()
    {
        var random = new Random(5);
        const int N = 1037;
        float[] x = [.. Enumerable.Range(0, N).Select(i => i % 17 == 0 ? 0f : (float)(random.NextDouble() - 0.5))];
        float[] kept = [.. Enumerable.Range(0, N).Select(_ => random.NextDouble() < 0.7 ? 1f : 0f)];
        float[] g = [.. Enumerable.Range(0, N).Select(_ => (float)(random.NextDouble() - 0.5))];
        float scale = ReluDropout.KeptScale(0.3);
        float[] expectedY = [.. x.Select((v, i) => v > 0 && kept[i] != 0 ? v * scale : 0f)];
        float[] expectedGx = [.. expectedY.Select((v, i) => v > 0 ? g[i] * scale : 0f)];
        foreach (SimdWidth width in SimdWidths.All)
        {
            var y = new float[N];
            var gx = new float[N];
            ReluDropout.Passes(width, x, kept, y, g, gx, scale);

            Assert.Equal(expectedY, y);
            Assert.Equal(expectedGx, gx);
        }
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
