using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>The README's main job, on the tiny scale so that it runs in seconds.</summary>
[Trait("Category", "Slow")]
[Collection(TorchCollection.Name)]
public sealed class DemoTests
{
    [Fact]
    public void Demo_Tiny_WritesTheStudyAndResumesOnRerun()
    {
        using var temp = new TempDirectory();
        string root = temp.Combine("demo");

        Assert.Equal(CliRun.Success, CliApp.Run(["demo", "--out", root, "--scale", "tiny", "--threads", "2"]));
        string report = Path.Combine(root, "study-tiny", "report.md");
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(root, "study-tiny", "models", "bias", "weights.safetensors"));
        Assert.Equal(CliRun.Success, CliApp.Run(["demo", "--out", root, "--scale", "tiny", "--threads", "2"]));

        string text = File.ReadAllText(report);
        foreach (string model in DemoCommand.Models)
        {
            Assert.Contains($"| {model} |", text, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(root, "study-tiny", "models", model, "manifest.json")));
        }

        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(root, "study-tiny", "models", "bias", "weights.safetensors")));
    }
}
