using System.Text.Json.Nodes;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Tuning;

/// <summary><c>netflixrec tune</c> and <c>compare --tune</c> on the tiny Prize, as a user runs them.</summary>
[Trait("Category", "Slow")]
[Collection(TinyDatasetCollection.Name)]
public sealed class TuneCommandTests(TinyDataset tiny)
{
    [Fact]
    public void Tune_BiasedMf_WritesBestTrialsAndChart_BestIsAtLeastTheDefaultAndTrainsAsConfig()
    {
        string output = tiny.Directory.Combine("tune-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.Success, CliApp.Run(["tune", "--data", tiny.Dataset, "--model", "biased-mf", "--out", output, "--trials", "12", "--threads", "1", "--json"]));

        JsonObject journal = Read(output, "trials.json");
        JsonArray trials = journal["trials"]!.AsArray();
        Assert.Equal(12, trials.Count);
        Assert.Equal("rmse", journal["objective"]!.GetValue<string>());
        double defaultMetric = trials[0]!["metric"]!.GetValue<double>();
        double best = journal["best_metric"]!.GetValue<double>();
        Assert.True(best <= defaultMetric, $"best {best} vs default {defaultMetric}");
        Assert.All(trials, t => Assert.NotEmpty(t!["curve"]!.AsArray()));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(output, "tuning.png"))[..4]);

        // best.json is a --config for train: the best trial's parameters over the defaults.
        JsonObject bestConfig = Read(output, "best.json");
        JsonObject bestParameters = trials.First(t => t!["number"]!.GetValue<int>() == journal["best_trial"]!.GetValue<int>())!["parameters"]!.AsObject();
        Assert.All(bestParameters, p => Assert.True(JsonNode.DeepEquals(p.Value, bestConfig[p.Key])));
        string model = tiny.Directory.Combine("tuned-model-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", tiny.Dataset, "--model", "biased-mf", "--config", Path.Combine(output, "best.json"), "--out", model]));
    }

    [Fact]
    public void Tune_ResumedAfterStop_ProposesAndScoresExactlyAsOneUninterruptedRun()
    {
        string whole = tiny.Directory.Combine("whole-" + Guid.NewGuid().ToString("N"));
        string resumed = tiny.Directory.Combine("resumed-" + Guid.NewGuid().ToString("N"));
        string[] common = ["tune", "--data", tiny.Dataset, "--model", "biased-mf", "--threads", "1", "--seed", "5"];

        Assert.Equal(CliRun.Success, CliApp.Run([.. common, "--out", whole, "--trials", "12"]));
        Assert.Equal(CliRun.Success, CliApp.Run([.. common, "--out", resumed, "--trials", "5"]));
        Assert.Equal(CliRun.Success, CliApp.Run([.. common, "--out", resumed, "--trials", "12"]));

        JsonArray a = Read(whole, "trials.json")["trials"]!.AsArray();
        JsonArray b = Read(resumed, "trials.json")["trials"]!.AsArray();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(a[i]!["parameters"], b[i]!["parameters"]), $"trial {i} parameters");
            Assert.True(JsonNode.DeepEquals(a[i]!["curve"], b[i]!["curve"]), $"trial {i} curve");
            Assert.Equal(a[i]!["status"]!.GetValue<string>(), b[i]!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Tune_ResumeWithAnotherSeed_ExitsTwoAndKeepsTheJournal()
    {
        string output = tiny.Directory.Combine("seeded-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["tune", "--data", tiny.Dataset, "--model", "bias", "--out", output, "--trials", "2", "--seed", "1"]));
        string before = File.ReadAllText(Path.Combine(output, "trials.json"));

        Assert.Equal(CliRun.BadInput, CliApp.Run(["tune", "--data", tiny.Dataset, "--model", "bias", "--out", output, "--trials", "4", "--seed", "2"]));
        Assert.Equal(before, File.ReadAllText(Path.Combine(output, "trials.json")));
    }

    [Theory]
    [InlineData("--trials", "0")]
    [InlineData("--budget-seconds", "-1")]
    [InlineData("--sampler", "grid")]
    public void Tune_BadArgument_ExitsTwoAndWritesNothing(string option, string value)
    {
        string output = tiny.Directory.Combine("bad-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.BadInput, CliApp.Run(["tune", "--data", tiny.Dataset, "--model", "bias", "--out", output, option, value]));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Tune_NoBudget_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["tune", "--data", tiny.Dataset, "--model", "bias", "--out", tiny.Directory.Combine("nobudget")]));
    }

    [Fact]
    public void CompareTune_Tiny_TunesEveryModelWithTheSameBudgetAndReportsDefaultBesideTuned()
    {
        string results = tiny.Directory.Combine("tuned-study-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.Success, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias,biased-mf", "--tune", "2", "--seeds", "2",
            "--bootstrap", "50", "--out", results]));

        JsonArray rows = Read(results, "results.json")["results"]!.AsArray();
        foreach (JsonNode row in rows.Select(r => r!))
        {
            string model = row["model"]!.GetValue<string>();
            JsonObject tuning = row["tuning"]!.AsObject();
            Assert.Equal(2.0, tuning["budget_cpu_seconds"]!.GetValue<double>());
            Assert.True(tuning["trials"]!.GetValue<int>() >= 1);
            Assert.True(tuning["best_metric"]!.GetValue<double>() <= tuning["default_metric"]!.GetValue<double>());
            Assert.True(row["default"]!["rmse"]!.GetValue<double>() > 0);
            Assert.Equal(2, row["seeds"]!["n"]!.GetValue<int>());
            Assert.True(File.Exists(Path.Combine(results, "tuning", model, "trials.json")));
            // The default is trained apart only when the tuner found better settings; when no trial beat it (few trials fit
            // 2 CPU s on a loaded machine), the tuned row is the default's own and no second model is trained.
            bool defaultWon = tuning["best_metric"]!.GetValue<double>() == tuning["default_metric"]!.GetValue<double>();
            Assert.True(defaultWon || Directory.Exists(Path.Combine(results, "defaults", model)), $"{model}: no defaults/{model} beside a tuned model");
        }

        string report = File.ReadAllText(Path.Combine(results, "report.md"));
        Assert.Contains("## Tuning", report, StringComparison.Ordinal);
        Assert.Contains("## Seed repeats", report, StringComparison.Ordinal);
        Assert.Equal(["bias", "biased-mf"], Directory.GetDirectories(Path.Combine(results, "models")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Compare_ForeignDirectoryWhereAModelGoes_ExitsTwoAndLeavesItAlone()
    {
        string results = tiny.Directory.Combine("foreign-" + Guid.NewGuid().ToString("N"));
        string foreign = tiny.Directory.Write(Path.Combine(Path.GetFileName(results), "models", "bias", "mine.txt"), "user file");

        Assert.Equal(CliRun.BadInput, CliApp.Run(["compare", "--data", tiny.Dataset, "--models", "bias", "--bootstrap", "50", "--out", results]));
        Assert.Equal("user file", File.ReadAllText(foreign));
    }

    private static JsonObject Read(string directory, string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(directory, file)))!.AsObject();
}
