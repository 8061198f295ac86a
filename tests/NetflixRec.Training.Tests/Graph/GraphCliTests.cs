using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>The graph models through the command line on the generated tiny Prize, as a user runs them.</summary>
[Collection(TorchCollection.Name)]
public sealed class GraphCliTests(TinyDataset tiny)
{
    [Theory]
    [InlineData("gcmc")]
    [InlineData("lightgcn")]
    [InlineData("sage")]
    public void TrainThenEvaluate_GraphModel_WritesGnnModelWithMetrics(string name)
    {
        string config = tiny.Directory.Write($"{name}-{Guid.NewGuid():N}.json", "{\"max_epochs\": 2, \"threads\": 1}");
        string model = tiny.Directory.Combine("models", $"{name}-{Guid.NewGuid():N}");

        // The CLI's stderr goes into the failure message: an exit code alone does not say what went wrong.
        var error = new StringWriter();
        TextWriter saved = Console.Error;
        Console.SetError(TextWriter.Synchronized(error));
        int exit;
        try
        {
            exit = CliApp.Run(["train", "--data", tiny.Dataset, "--model", name, "--config", config, "--out", model]);
        }
        finally
        {
            Console.SetError(saved);
        }

        Assert.True(exit == CliRun.Success, $"train exited {exit}: {error}");
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
    public void BenchGnn_EpochFraction_StopsEachEpochEarlyAndExtrapolates()
    {
        BenchGnnSummary output = BenchGnnCommand.Run(tiny.Dataset, "sage,lightgcn", epochs: 2, threads: 1, json: true, epochFraction: 0.3,
            overrides: new System.Text.Json.Nodes.JsonObject { ["sage"] = new System.Text.Json.Nodes.JsonObject { ["batch_size"] = 256 }, ["lightgcn"] = new System.Text.Json.Nodes.JsonObject { ["batch_size"] = 256 } });

        Assert.Equal(["sage", "lightgcn"], output.Results.Select(r => r.Model));
        foreach (BenchGnnModelTimings result in output.Results)
        {
            Assert.Equal(2, result.EpochFractionDone.Count);
            Assert.All(result.EpochFractionDone, d => Assert.InRange(d, 0.3, 0.99));
            Assert.True(result.Extrapolated);
            Assert.True(result.SecondsPerEpoch > result.EpochSeconds.Average(), "the measured part is scaled up to a whole epoch");
        }
    }

    [Fact]
    public void BenchAe_EpochFraction_StopsEachEpochEarly()
    {
        BenchAeSummary output = BenchAeCommand.Run(tiny.Dataset, "autorec-u,mult-vae", epochs: 1, threads: 1, json: true, epochFraction: 0.4,
            overrides: new System.Text.Json.Nodes.JsonObject { ["mult-vae"] = new System.Text.Json.Nodes.JsonObject { ["batch_size"] = 50 } });

        Assert.Equal(["autorec-u", "mult-vae"], output.Results.Select(r => r.Model));
        foreach (BenchAeModelTimings result in output.Results)
        {
            Assert.InRange(result.EpochFractionDone[0], 0.4, 0.99);
            Assert.True(result.PeakRssBytes > 0);
        }
    }

    [Fact]
    public void BenchAe_WholeEpochs_ReportAllOfEachEpochAsMeasured()
    {
        // Mult-VAE's batches skip users without positives: a whole epoch must still count as all of it.
        BenchAeSummary output = BenchAeCommand.Run(tiny.Dataset, "mult-vae,autorec-u", epochs: 1, threads: 1, json: true);

        Assert.Equal(2, output.Results.Count);
        foreach (BenchAeModelTimings result in output.Results)
        {
            Assert.Equal(1.0, result.EpochFractionDone[0]);
            Assert.False(result.Extrapolated);
        }
    }

    [Fact]
    public void EpochBudget_Allows_UntilTheFractionIsReachedThenRestartsPerEpoch()
    {
        var budget = new EpochBudget(0.5);

        budget.StartEpoch();
        Assert.True(budget.Allows(30, 100));
        Assert.True(budget.Allows(60, 100));
        Assert.False(budget.Allows(90, 100));
        Assert.Equal(0.6, budget.Done, 1e-10);
        double loop = budget.LoopSeconds!.Value;
        Assert.Equal((loop / 0.6) + 10, budget.Extrapolate(loop + 10), 1e-9);
        budget.StartEpoch();
        Assert.Null(budget.LoopSeconds);
        Assert.True(budget.Allows(10, 100));

        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochBudget(0));
    }

    [Fact]
    public void EpochBudget_Whole_AllowsEveryBatchAndRecordsNothing()
    {
        EpochBudget.Whole.StartEpoch();

        Assert.True(EpochBudget.Whole.Allows(100, 100));
        Assert.True(EpochBudget.Whole.Allows(200, 100));
        Assert.Equal(0, EpochBudget.Whole.Done);
        Assert.Null(EpochBudget.Whole.LoopSeconds);
    }

    [Fact]
    public void BenchGnn_NonGraphModel_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["bench-gnn", "--data", tiny.Dataset, "--models", "bias"]));
    }
}
