using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>The in-place Adam against TorchSharp's <c>torch.optim.Adam(parameters, lr)</c> (defaults β 0.9, 0.999, ε 1e-8).</summary>
[Collection(TorchCollection.Name)]
public sealed class FusedAdamTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Step_SeveralSteps_MatchesTorchAdamIncludingAParameterWithoutGradientSometimes(double weightDecay)
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(4);
        // One table of 64-wide rows (split across threads), small ones, one of 301 × 33 values (rows of 64 and a tail); the
        // last two are used every other step.
        Tensor[] starts = [randn([300, 64], generator: generator), randn([7, 3], generator: generator), randn([5], generator: generator), randn([301, 33], generator: generator)];
        Parameter[] fusedParameters = [.. starts.Select(s => new Parameter(s.clone()))];
        Parameter[] torchParameters = [.. starts.Select(s => new Parameter(s.clone()))];
        using var fused = new FusedAdam(fusedParameters, 0.03, weightDecay: weightDecay);
        using optim.Optimizer reference = optim.Adam(torchParameters, 0.03, weight_decay: weightDecay);

        for (int step = 1; step <= 6; step++)
        {
            Tensor[] weights = [.. starts.Select(s => randn(s.shape, generator: generator))];
            int used = step % 2 == 0 ? 4 : 2;
            fused.ZeroGrad();
            Loss(fusedParameters, weights, used).backward();
            fused.Step();
            reference.zero_grad();
            Loss(torchParameters, weights, used).backward();
            reference.step();
        }

        for (int k = 0; k < starts.Length; k++)
        {
            Assert.Equal(torchParameters[k].data<float>().ToArray(), fusedParameters[k].data<float>().ToArray(),
                (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1f, Math.Abs(a)));
        }
    }

    [Fact]
    public void Constructor_NonFloatParameter_ThrowsNamingTheType()
    {
        using DisposeScope scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => new FusedAdam([new Parameter(zeros(3, dtype: ScalarType.Float64))], 0.1));

        Assert.Contains("Float64", error.Message, StringComparison.Ordinal);
    }

    // A smooth loss with a different gradient per element; only the first `used` parameters take part.
    private static Tensor Loss(Parameter[] parameters, Tensor[] weights, int used)
    {
        Tensor loss = zeros(1);
        for (int k = 0; k < used; k++)
        {
            loss += ((parameters[k] * weights[k]).sum() + parameters[k].square().sum()) * 0.5;
        }

        return loss;
    }
}
