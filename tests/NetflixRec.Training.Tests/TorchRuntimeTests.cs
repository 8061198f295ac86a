using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class TorchRuntimeTests
{
    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    public void Prepare_BadDevice_IsInvalidDataNamingTheDevice(string device)
    {
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => TorchRuntime.Prepare(device, threads: 1, seed: 1));

        Assert.StartsWith($"device '{device}': ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMpWaitPolicy_AfterFirstUse_IsPassiveUnlessTheUserChoseOne()
    {
        string? chosen = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");

        TorchRuntime.Configure(threads: 1, seed: 1);

        Assert.Equal(chosen ?? "PASSIVE", TorchRuntime.OpenMpWaitPolicy);
    }

    [Fact]
    public void Configure_SameSeedTwice_SameDraws()
    {
        TorchRuntime.Configure(threads: 1, seed: 5);
        using TorchSharp.torch.Tensor firstDraw = TorchSharp.torch.rand(8);
        float[] first = TorchRuntime.ToArray(firstDraw);
        TorchRuntime.Configure(threads: 1, seed: 5);
        using TorchSharp.torch.Tensor secondDraw = TorchSharp.torch.rand(8);
        float[] second = TorchRuntime.ToArray(secondDraw);

        Assert.Equal(first, second);
        Assert.Equal(1, TorchSharp.torch.get_num_threads());
    }
}
