using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Training.Models;
using NetflixRec.Training.Reporting;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec compare --data DATASET_DIR [--models a,b,c] [--config FILE.json] [--tune CPU_SECONDS] [--seeds N] --out RESULTS_DIR
/// [--json]</c>: tunes (optionally, the same budget for every model) and trains
/// every selected model on the same data and split, evaluates them with the shared protocol, and writes the study
/// (report.md, results.json, charts). Re-running skips models already trained with the same configuration and data.
/// </summary>
internal static class CompareCommand
{
    /// <summary>At least one model of every family: the baseline, two MF models, the autoencoders and the GNNs.</summary>
    public static readonly string[] DefaultModels = ["bias", "time-bias", "biased-mf", "svdpp", "timesvdpp", "autorec-i", "deep-ae", "mult-vae", "gcmc", "lightgcn"];

    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string?> models = new("--models") { Description = "Comma-separated model names (default: " + string.Join(",", DefaultModels) + ")." };
        Option<string?> config = CommonOptions.ModelOverrides();
        Option<string> output = CommonOptions.RequiredPath("--out", "Results directory (created; reused to resume an interrupted study).");
        Option<int> bootstrap = new("--bootstrap") { Description = "Bootstrap resamples for the confidence intervals.", DefaultValueFactory = _ => 1000 };
        Option<double?> tune = new("--tune")
        {
            Description = "Tune every model first with this many CPU seconds each (the same budget for all, on a validation slice of the " +
                "training data), then train its best configuration beside the default.",
        };
        Option<int> seeds = CommonOptions.PositiveInt("--seeds", "Train each model with this many seeds and report mean ± sd per metric.", 1);
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("compare", "Train, evaluate and compare models on one dataset; write report.md, results.json and charts.")
        {
            data, models, config, output, bootstrap, tune, seeds, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            string[] names = ParseModels(parse.GetValue(models));
            JsonObject overrides = parse.GetValue(config) is { } path ? ModelConfig.ReadFile(path) : [];
            var plan = new StudyPlan(parse.GetRequiredValue(data), names, overrides, parse.GetRequiredValue(output),
                parse.GetValue(bootstrap), parse.GetValue(threads), "netflixrec " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                parse.GetValue(tune), parse.GetValue(seeds));
            StudyOutcome outcome = StudyRunner.Run(plan);
            Print(outcome, parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static void Print(StudyOutcome outcome, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(outcome.Json.ToJsonString(CliRun.JsonOptions));
            return;
        }

        StudyRow? best = outcome.Rows.Where(r => double.IsFinite(r.Rmse)).MinBy(r => r.Rmse);
        StudyRow? ranker = outcome.Rows.Where(r => double.IsFinite(r.Recall)).MaxBy(r => r.Recall);
        Console.Out.WriteLine($"compared {outcome.Rows.Count} models ({outcome.Reused} reused) in {outcome.Seconds:F1} s; best RMSE {best?.Model} " +
            $"{best?.Rmse:F4}, best Recall@20 {ranker?.Model} {ranker?.Recall:F4} → {outcome.ReportPath}");
    }

    private static string[] ParseModels(string? list)
    {
        if (list is null)
        {
            return DefaultModels;
        }

        string[] names = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (names.Length == 0)
        {
            throw new ArgumentException("--models: give at least one model name", nameof(list));
        }

        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"--models: '{duplicate.Key}' is listed twice", nameof(list));
        }

        if (names.FirstOrDefault(n => !ModelCatalog.Names.Contains(n)) is { } unknown)
        {
            throw new ArgumentException($"--models: unknown model '{unknown}'; known: {string.Join(", ", ModelCatalog.Names)}", nameof(list));
        }

        return names;
    }
}
