using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>The graph models through the command line on the generated tiny Prize, as a user runs them.</summary>
[Collection(TorchCollection.Name)]
public sealed class GraphCliTests(TrainEvaluateTests.TinyDataset tiny) : IClassFixture<TrainEvaluateTests.TinyDataset>
{
    [Theory]
    [InlineData("gcmc")]
    [InlineData("lightgcn")]
    [InlineData("sage")]
    public void TrainThenEvaluate_GraphModel_WritesGnnModelWithMetrics(string name)
    {
        string config = tiny.Directory.Write($"{name}-{Guid.NewGuid():N}.json", "{\"max_epochs\": 2, \"threads\": 1}");
        string model = tiny.Directory.Combine("models", $"{name}-{Guid.NewGuid():N}");

        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", tiny.Dataset, "--model", name, "--config", config, "--out", model]));
        Assert.Equal(CliRun.Success, CliApp.Run(["evaluate", "--data", tiny.Dataset, "--model", model, "--json"]));

        ModelManifest manifest = ModelStore.ReadManifest(model);
        Assert.Equal(ModelFamily.Graph, manifest.Family);
        Assert.Equal(2, manifest.LearningCurve.Count);
        Assert.InRange(manifest.Metrics["rmse"], 0.5, 2.0);
        Assert.True(manifest.Metrics.ContainsKey("recall@20"));
    }

    [Fact]
    public void BenchGnn_OneEpochEachModel_Succeeds()
    {
        Assert.Equal(CliRun.Success, CliApp.Run(["bench-gnn", "--data", tiny.Dataset, "--epochs", "1", "--threads", "1", "--json"]));
    }

    [Fact]
    public void BenchGnn_NonGraphModel_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["bench-gnn", "--data", tiny.Dataset, "--models", "bias"]));
    }
}
