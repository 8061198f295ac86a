using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>
/// The fused dropout(relu(x)): given its masks, the floats and gradients of torch's relu then product with dropout's
/// noise (0 or 1/(1 − p)), bit for bit; masks that drop a share p, differ from call to call and stream to stream, repeat
/// for the same seed, and do not depend on the thread count; each SIMD width of both passes.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ReluDropoutTests
{
    [Theory]
    [InlineData(1, 1, 0.3)]
    [InlineData(7, 3, 0.5)]
    [InlineData(1000, 64, 0.3)]
    [InlineData(3, 100_003, 0.1)]
    public void Apply_Training_EqualsTorchReluTimesItsNoise_OverCalls(int rows, int width, double p)
    {
        using var fused = new ReluDropout(CPU, threads: 2, seed: 9, stream: 0);
        for (int call = 0; call < 2; call++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor x = torch.randn([rows, width], generator: new Generator((ulong)(rows + call)));
            Tensor upstream = torch.randn([rows, width], generator: new Generator((ulong)(width + call)));
            Tensor reference = x.clone().requires_grad_(true), ours = x.clone().requires_grad_(true);
            Tensor noise = torch.tensor(Mask(9, 0, call, rows * width, p).Select(kept => kept ? ReluDropout.KeptScale(p) : 0f).ToArray(), [rows, width]);

            Tensor expected = nn.functional.relu(reference) * noise;
            Tensor actual = fused.Apply(ours * 1, p, training: true);
            (expected * upstream).sum().backward();
            (actual * upstream).sum().backward();

            Assert.Equal(Values(expected), Values(actual));
            Assert.Equal(Values(reference.grad!), Values(ours.grad!));
        }
    }

    [Fact]
    public void Masks_DropTheirShare_DifferByCallAndStream_RepeatBySeed_IgnoreThreads()
    {
        const int N = 1 << 20;
        const double P = 0.3;
        bool[] first = Mask(1, 0, 0, N, P);
        double dropped = first.Count(kept => !kept) / (double)N;
        // Five standard deviations of a binomial share.
        Assert.InRange(dropped, P - (5 * Math.Sqrt(P * (1 - P) / N)), P + (5 * Math.Sqrt(P * (1 - P) / N)));
        Assert.Equal(first, Mask(1, 0, 0, N, P));
        foreach (bool[] other in new[] { Mask(1, 0, 1, N, P), Mask(1, 1, 0, N, P), Mask(2, 0, 0, N, P) })
        {
            double agree = first.Zip(other).Count(t => t.First == t.Second) / (double)N;
            // Independent masks agree on p² + (1 − p)² = 0.58 of the units.
            Assert.InRange(agree, 0.57, 0.59);
        }

        using DisposeScope scope = torch.NewDisposeScope();
        Tensor ones = torch.ones(N);
        using var oneThread = new ReluDropout(CPU, threads: 1, seed: 4, stream: 2);
        using var threeThreads = new ReluDropout(CPU, threads: 3, seed: 4, stream: 2);
        Assert.Equal(Values(oneThread.Apply(ones, P, training: true)), Values(threeThreads.Apply(ones, P, training: true)));
    }

    [Fact]
    public void Apply_Evaluation_IsRelu()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using var fused = new ReluDropout(CPU, threads: 1, seed: 1, stream: 0);
        Tensor x = torch.randn([50, 9], generator: new Generator(3));

        Assert.Equal(Values(nn.functional.relu(x)), Values(fused.Apply(x, 0.3, training: false)));
    }

    [Fact]
    public void Passes_EveryWidth_EqualTheScalarDefinition()
    {
        var random = new Random(5);
        const int N = 1037;
        const double P = 0.3;
        float[] x = [.. Enumerable.Range(0, N).Select(i => i % 17 == 0 ? 0f : (float)(random.NextDouble() - 0.5))];
        float[] g = [.. Enumerable.Range(0, N).Select(_ => (float)(random.NextDouble() - 0.5))];
        float scale = ReluDropout.KeptScale(P);
        bool[] kept = Mask(3, 1, 5, N, P);
        float[] expectedY = [.. x.Select((v, i) => v > 0 && kept[i] ? v * scale : 0f)];
        float[] expectedGx = [.. expectedY.Select((v, i) => v > 0 ? g[i] * scale : 0f)];
        (uint first, uint second) = ReluDropout.CallKeys(3, 1, 5);
        foreach (SimdWidth width in SimdWidths.All)
        {
            var y = new float[N];
            var gx = new float[N];
            ReluDropout.Passes(width, x, y, g, gx, scale, first, second, ReluDropout.DropBelow(P));

            Assert.Equal(expectedY, y);
            Assert.Equal(expectedGx, gx);
        }
    }

    // Which of the first n units call `call` of (seed, stream) keeps: the scalar definition.
    private static bool[] Mask(int seed, int stream, long call, int n, double p)
    {
        (uint first, uint second) = ReluDropout.CallKeys(seed, stream, call);
        uint dropBelow = ReluDropout.DropBelow(p);
        return [.. Enumerable.Range(0, n).Select(i => ReluDropout.Draw((uint)i, first, second) >> 8 >= dropBelow)];
    }

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
