using TorchSharp;

namespace NetflixRec.Training.Tests;

/// <summary>
/// Proves that the TorchSharp native stack (libLibTorchSharp.so + libtorch) loads and trains in the test output
/// folder, which on Debian 12 needs build/TorchSharpCompat.targets to have patched libLibTorchSharp.so.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TorchSharpSmokeTests
{
    [Fact]
    public void LinearRegression_OneSgdStep_GradientsFiniteAndNonzeroAndLossDecreases()
    {
        torch.set_num_threads(1);
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(1234);

        var x = torch.randn(64, 4, generator: generator);
        var trueWeight = torch.tensor(new[] { 1.0f, -2.0f, 0.5f, 3.0f }).reshape(4, 1);
        var y = x.matmul(trueWeight) + 0.25f;

        using var model = torch.nn.Linear(4, 1);
        using var optimizer = torch.optim.SGD(model.parameters(), 0.1);

        optimizer.zero_grad();
        var loss = torch.nn.functional.mse_loss(model.call(x), y);
        float before = loss.item<float>();
        loss.backward();

        int parameterCount = 0;
        foreach (var parameter in model.parameters())
        {
            parameterCount++;
            var gradient = parameter.grad;
            Assert.NotNull(gradient);
            Assert.True(gradient.isfinite().all().item<bool>(), "gradient has NaN or infinity");
            Assert.True(gradient.abs().sum().item<float>() > 0f, "gradient is all zero");
        }

        Assert.Equal(2, parameterCount);

        optimizer.step();
        float after;
        using (torch.no_grad())
        {
            after = torch.nn.functional.mse_loss(model.call(x), y).item<float>();
        }

        Assert.True(float.IsFinite(before) && float.IsFinite(after), $"loss not finite: {before} -> {after}");
        Assert.True(after < before, $"loss did not decrease: {before} -> {after}");
    }

    [Fact]
    public void Matmul_SmallMatrices_MatchesHandComputedProduct()
    {
        torch.set_num_threads(1);
        using var scope = torch.NewDisposeScope();

        var a = torch.tensor(new[] { 1.0f, 2.0f, 3.0f, 4.0f }).reshape(2, 2);
        var b = torch.tensor(new[] { 5.0f, 6.0f, 7.0f, 8.0f }).reshape(2, 2);
        float[] product = a.matmul(b).data<float>().ToArray();

        Assert.Equal(new[] { 19.0f, 22.0f, 43.0f, 50.0f }, product);
    }
}
