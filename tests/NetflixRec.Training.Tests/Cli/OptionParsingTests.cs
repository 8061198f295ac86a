using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>A value of the wrong type for a range-checked option is a usage error (exit 2), not a crash of the validator.</summary>
public sealed class OptionParsingTests
{
    [Theory]
    [InlineData("bench-sgd", "--threads", "x")]
    [InlineData("bench-sgd", "--grid-blocks", "1.5")]
    [InlineData("bench-ae", "--epoch-fraction", "half")]
    [InlineData("bench-sgd", "--threads", "0")]
    [InlineData("bench-ae", "--epoch-fraction", "2")]
    public void RangeCheckedOption_BadValue_ExitsTwo(string command, string option, string value)
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run([command, "--data", "/nonexistent", option, value]));
    }
}
