using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class BenchRooflineTests
{
    [Fact]
    public void Run_TinySizes_ReportsPositiveRatesAndUtilizationInRange()
    {
        IReadOnlyDictionary<string, object?> result = BenchRooflineCommand.Run(gemmSize: 64, streamMegabytes: 1, repeats: 2, threads: 2, json: true);

        foreach (string key in new[] { "gemm_gflops", "managed_copy_gbps", "managed_triad_gbps", "torch_copy_gbps", "torch_triad_gbps" })
        {
            Assert.True(Convert.ToDouble(result[key], System.Globalization.CultureInfo.InvariantCulture) > 0, key);
        }

        Assert.Equal(1L << 20, Convert.ToInt64(result["stream_bytes_per_array"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(Convert.ToDouble(result["cpu_utilization"], System.Globalization.CultureInfo.InvariantCulture), 0.0, 1.5);
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
