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

    [Fact]
    public void ToArray_ViewsWithOffsetsAndStrides_AreTheirOwnValuesRowMajor()
    {
        using TorchSharp.DisposeScope scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.torch.Tensor grid = TorchSharp.torch.arange(12, dtype: TorchSharp.torch.ScalarType.Float32).reshape(3, 4);

        Assert.Equal([4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f], TorchRuntime.ToArray(grid.narrow(0, 1, 2)));
        Assert.Equal([1f, 5f, 9f, 2f, 6f, 10f], TorchRuntime.ToArray(grid.t().narrow(0, 1, 2)));
        Assert.Equal([1f, 2f], TorchRuntime.ToArray(grid.narrow(0, 0, 1).narrow(1, 1, 2)));
        Assert.Empty(TorchRuntime.ToArray(grid.narrow(0, 0, 0)));
    }
}
