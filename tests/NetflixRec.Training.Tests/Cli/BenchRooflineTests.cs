using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class BenchRooflineTests
{
    [Fact]
    public void Run_TinySizes_ReportsPositiveRatesAndUtilizationInRange()
    {
        BenchRooflineSummary result = BenchRooflineCommand.Run(gemmSize: 64, streamMegabytes: 1, repeats: 2, threads: 2, json: true);

        Assert.True(result.GemmGflops > 0, nameof(result.GemmGflops));
        Assert.True(result.ManagedCopyGbps > 0, nameof(result.ManagedCopyGbps));
        Assert.True(result.ManagedTriadGbps > 0, nameof(result.ManagedTriadGbps));
        Assert.True(result.TorchCopyGbps > 0, nameof(result.TorchCopyGbps));
        Assert.True(result.TorchTriadGbps > 0, nameof(result.TorchTriadGbps));
        Assert.Equal(1L << 20, result.StreamBytesPerArray);
        Assert.InRange(result.CpuUtilization, 0.0, 1.5);
    }

    [Theory]
    [InlineData("--gemm-size", "0")]
    [InlineData("--stream-mb", "-1")]
    [InlineData("--repeats", "0")]
    public void Cli_BadOption_ExitsWithBadInput(string option, string value)
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["bench-roofline", option, value]));
    }
}
