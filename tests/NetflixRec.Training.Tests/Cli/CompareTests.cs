using System.Globalization;
using System.Text.Json.Nodes;
using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

/// <summary><c>netflixrec compare</c> on the tiny Prize: the study's files, their agreement, and resuming.</summary>
[Trait("Category", "Slow")]
[Collection(TinyDatasetCollection.Name)]
public sealed class CompareTests(TinyDataset tiny)
{
    private static readonly string[] Charts = ["learning_curves.png", "accuracy_vs_time.png", "rmse_by_activity.png", "ranking.png"];

    [Fact]
    public void Compare_Tiny_WritesReportResultsAndChartsThatAgree()
    {
        string results = tiny.Directory.Combine("study-" + Guid.NewGuid().ToString("N"));

        RunCompare(results, Config(maxEpochs: 3));

        Assert.True(File.Exists(Path.Combine(results, "report.md")));
        foreach (string chart in Charts)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(results, chart));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        }

        string report = File.ReadAllText(Path.Combine(results, "report.md"));
        JsonObject saved = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "results.json")))!.AsObject();
        JsonArray rows = saved["results"]!.AsArray();
        Assert.Equal(["bias", "biased-mf"], rows.Select(r => r!["model"]!.GetValue<string>()));
        foreach (JsonNode row in rows.Select(r => r!))
        {
            // The report's table line for the model carries exactly the numbers of results.json.
            string line = report.Split('\n').First(l => l.StartsWith($"| {row["model"]!.GetValue<string>()} |", StringComparison.Ordinal));
            Assert.Contains($"| {F4(row, "rmse")} |", line, StringComparison.Ordinal);
            Assert.Contains($"| {F4(row, "mae")} |", line, StringComparison.Ordinal);
            Assert.Contains($"| {F4(row, "recall@20")} |", line, StringComparison.Ordinal);
            Assert.Contains($"| {F4(row, "ndcg@20")} |", line, StringComparison.Ordinal);
            Assert.True(row["peak_rss_bytes"]!.GetValue<long>() > 0);
            Assert.True(row["model_bytes"]!.GetValue<long>() > 0); // measured on the model just written, not the old folder
            Assert.NotEmpty(row["learning_curve"]!.AsArray());
            Assert.True(row["onnx_ms_per_user"]!.GetValue<double>() > 0);
            Assert.True(File.Exists(Path.Combine(results, "models", row["model"]!.GetValue<string>(), "model.onnx")));
        }

        // The worse model carries a bootstrap interval against the better one, around its RMSE difference.
        JsonObject? interval = rows.Select(r => r!["rmse_vs_best"] as JsonObject).Single(x => x is not null);
        Assert.InRange(interval!["difference"]!.GetValue<double>(), interval["low"]!.GetValue<double>(), interval["high"]!.GetValue<double>());
    }

    [Fact]
    public void Compare_Rerun_SkipsFinishedModelsAndRetrainsChangedOnes()
    {
        string results = tiny.Directory.Combine("resume-" + Guid.NewGuid().ToString("N"));
        RunCompare(results, Config(maxEpochs: 3));
        DateTime trained = File.GetLastWriteTimeUtc(Path.Combine(results, "models", "bias", "weights.safetensors"));

        JsonObject same = RunCompare(results, Config(maxEpochs: 3));
        JsonObject changed = RunCompare(results, Config(maxEpochs: 4));

        Assert.All(same["results"]!.AsArray(), r => Assert.True(r!["reused"]!.GetValue<bool>()));
        Assert.Equal(trained, File.GetLastWriteTimeUtc(Path.Combine(results, "models", "bias", "weights.safetensors")));
        Assert.False(Row(changed, "biased-mf")["reused"]!.GetValue<bool>());
        Assert.True(Row(changed, "bias")["reused"]!.GetValue<bool>());
    }

    [Fact]
    public void Compare_UnknownModel_ExitsTwoNamingTheOption()
    {
        string results = tiny.Directory.Combine("bad-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.BadInput, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias,nope", "--out", results]));
        Assert.False(Directory.Exists(results));
    }

    [Fact]
    public void Compare_ConfigOfALargerStudy_UsesTheComparedModelsEntriesAndChecksTheOthers()
    {
        string results = tiny.Directory.Combine("subset-" + Guid.NewGuid().ToString("N"));
        string config = tiny.Directory.Write($"study-{Guid.NewGuid():N}.json",
            "{\"bias\": {\"max_epochs\": 2}, \"svdpp\": {\"max_epochs\": 3}, \"gcmc\": {\"max_epochs\": 8}}");

        Assert.Equal(CliRun.Success, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias", "--config", config,
            "--out", results, "--bootstrap", "20", "--threads", "1"]));

        JsonObject output = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "results.json")))!.AsObject();
        Assert.Equal("bias", Assert.Single(output["results"]!.AsArray())!["model"]!.GetValue<string>());
        Assert.Equal(2, Row(output, "bias")["config"]!["max_epochs"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{\"nope\": {\"max_epochs\": 2}}", "'nope' is not a model")]
    [InlineData("{\"svdpp\": {\"max_epoch\": 2}}", "max_epoch")]
    public void Compare_ConfigNamingAnUnknownModelOrField_ExitsTwoEvenForAModelNotCompared(string json, string named)
    {
        string results = tiny.Directory.Combine("badcfg-" + Guid.NewGuid().ToString("N"));
        string config = tiny.Directory.Write($"bad-{Guid.NewGuid():N}.json", json);
        var error = new StringWriter();
        TextWriter before = Console.Error;
        Console.SetError(TextWriter.Synchronized(error));
        try
        {
            Assert.Equal(CliRun.BadInput, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias", "--config", config, "--out", results]));
        }
        finally
        {
            Console.SetError(before);
        }

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(results));
    }

    /// <summary>Runs compare and returns the results.json it wrote (stdout is shared with tests running in parallel).</summary>
    private JsonObject RunCompare(string results, string config)
    {
        Assert.Equal(CliRun.Success, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias,biased-mf", "--config", config,
            "--out", results, "--bootstrap", "200", "--threads", "2"]));
        return JsonNode.Parse(File.ReadAllText(Path.Combine(results, "results.json")))!.AsObject();
    }

    private string Config(int maxEpochs) =>
        tiny.Directory.Write($"compare-{maxEpochs}-{Guid.NewGuid():N}.json", $"{{\"biased-mf\": {{\"max_epochs\": {maxEpochs}, \"factors\": 8}}}}");

    private static JsonObject Row(JsonObject output, string model) =>
        output["results"]!.AsArray().Single(r => r!["model"]!.GetValue<string>() == model)!.AsObject();

    private static string F4(JsonNode row, string field) => row[field]!.GetValue<double>().ToString("F4", CultureInfo.InvariantCulture);
}
