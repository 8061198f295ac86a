using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;
using NetflixRec.Training.Reporting;
using NetflixRec.Training.Tuning;

namespace NetflixRec.Training.Cli;

/// <summary>What a tuning run wrote and found: the outcome, the directory, and the best configuration's file.</summary>
internal sealed record TuneResult(TuningPlan Plan, TuningOutcome Outcome, string Directory, string BestConfigPath, double WallSeconds);

/// <summary>
/// <c>netflixrec tune --data DS --model NAME --out DIR [--budget-seconds S | --trials N] [--space FILE] [--seed N]
/// [--threads N] [--sampler tpe|random] [--no-prune] [--config FILE.json] [--json]</c>: searches the model's space on a
/// validation slice of the training partition (never the probe) and writes best.json (a --config for train),
/// trials.json (every trial; also what an interrupted run resumes from) and tuning.png.
/// </summary>
internal static class TuneCommand
{
    public const string BestFileName = "best.json";

    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> model = CommonOptions.RequiredPath("--model", "Model name: " + string.Join(", ", ModelCatalog.Names) + ".");
        Option<string> output = CommonOptions.RequiredPath("--out", "Directory for best.json, trials.json and tuning.png (an existing run there is resumed).");
        Option<double?> budget = new("--budget-seconds") { Description = "Tuning budget in CPU seconds (all trials together)." };
        Option<int?> trials = new("--trials") { Description = "Most trials to run (trial 0 is the default configuration)." };
        Option<string?> space = new("--space") { Description = "JSON search space replacing the embedded one (one model's ranges, or keyed by model)." };
        Option<int> seed = new("--seed") { Description = "Seed of the sampler (the training seed is the config's).", DefaultValueFactory = _ => 1 };
        Option<int> threads = CommonOptions.Threads();
        Option<string> sampler = new("--sampler") { Description = "tpe (default) or random.", DefaultValueFactory = _ => "tpe" };
        Option<bool> noPrune = new("--no-prune") { Description = "Run every trial to its end (no successive halving)." };
        Option<string?> config = new("--config") { Description = "JSON file of hyperparameters that every trial starts from (over the defaults)." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("tune", "Tune one model's hyperparameters on a validation slice of the training data (TPE + successive halving).")
        {
            data, model, output, budget, trials, space, seed, threads, sampler, noPrune, config, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            string name = parse.GetRequiredValue(model);
            TuneResult result = Run(parse.GetRequiredValue(data), name, parse.GetRequiredValue(output), parse.GetValue(budget), parse.GetValue(trials),
                parse.GetValue(space) is { } path ? SearchSpace.ReadFile(path, name) : null, parse.GetValue(seed), parse.GetValue(threads),
                parse.GetValue(sampler) ?? "tpe", !parse.GetValue(noPrune), parse.GetValue(config) is { } file ? ModelConfig.ReadFile(file) : null);
            Print(result, parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    /// <summary>Tunes <paramref name="modelName"/> into <paramref name="outputDirectory"/>, resuming a run found there.</summary>
    public static TuneResult Run(string dataDirectory, string modelName, string outputDirectory, double? budgetSeconds, int? maxTrials,
        SearchSpace? space, int seed, int threads, string samplerName, bool prune, JsonObject? overrides)
    {
        ModelCatalog.Find(modelName);
        JsonObject baseConfig = ModelConfig.Merge(modelName, overrides);
        baseConfig["threads"] = threads;
        var plan = new TuningPlan(modelName, baseConfig, space ?? SearchSpace.For(modelName), TuningObjectives.For(modelName), maxTrials, budgetSeconds, seed, prune);
        plan.Validate();
        ISampler sampler = samplerName switch
        {
            "tpe" => new TpeSampler(seed),
            "random" => new RandomSampler(seed),
            _ => throw new ArgumentException($"--sampler: '{samplerName}': use tpe or random", nameof(samplerName)),
        };

        string journalPath = Path.Combine(outputDirectory, TuningJournal.FileName);
        if (!File.Exists(journalPath))
        {
            OutputDirectory.EnsureAbsentOrEmpty(outputDirectory, "--out");
        }

        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        IReadOnlyList<TrialRecord> resumed = File.Exists(journalPath)
            ? TuningJournal.Resume(ModelConfig.ReadFile(journalPath), plan, sampler.Name, dataset.Manifest.Fingerprint, journalPath)
            : [];
        // The base configuration binds to the model's record: a bad field fails here, and the split reads the record.
        TrainingOptions bound = ModelCatalog.Find(modelName).Bind(baseConfig, $"{modelName} configuration");
        TrainingData trainingData = TrainingData.Load(dataset, bound.ValidationFraction, bound.Seed);
        CliRun.Progress($"tune: {modelName} on {trainingData.Train.Count:N0} ratings, {plan.Objective.Label()} on {trainingData.Validation.Count:N0} held out; " +
            $"{sampler.Name} sampler{(prune ? " with successive halving" : string.Empty)}; budget {BudgetText(plan)}" +
            (resumed.Count > 0 ? $"; resuming after {resumed.Count} trials" : string.Empty));

        var clock = Stopwatch.StartNew();
        var trials = new List<TrialRecord>(resumed);
        TuningOutcome outcome = Tuner.Run(plan, trainingData, sampler, resumed, CpuSeconds, trial =>
        {
            trials.Add(trial);

            // Created with the first trial's journal, so a run refused or stopped before it leaves nothing behind.
            Directory.CreateDirectory(outputDirectory);
            AtomicFile.WriteAllText(journalPath, TuningJournal.ToJson(plan, sampler.Name, dataset.Manifest.Fingerprint, trials).ToJsonString(CliRun.IndentedJson));
        }, CliRun.Progress);

        Directory.CreateDirectory(outputDirectory);
        AtomicFile.WriteAllText(journalPath, TuningJournal.ToJson(plan, sampler.Name, dataset.Manifest.Fingerprint, outcome.Trials).ToJsonString(CliRun.IndentedJson));
        string bestPath = Path.Combine(outputDirectory, BestFileName);
        if (outcome.Best is { } best)
        {
            AtomicFile.WriteAllText(bestPath, plan.ConfigOf(best.Parameters).ToJsonString(CliRun.IndentedJson));
        }

        double spent = 0;
        AtomicFile.Write(Path.Combine(outputDirectory, TuningChart.FileName), temp => TuningChart.Write($"Tuning {modelName} ({sampler.Name})",
            plan.Objective.Label(), [.. outcome.Trials.Select(t => (spent += t.CpuSeconds, plan.Objective.MetricOf(t.Loss), t.IsComplete))],
            plan.Objective == TuningObjective.Ndcg, temp));
        return new TuneResult(plan, outcome, outputDirectory, bestPath, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The <c>--json</c> object (also a row's "tuning" field in compare).</summary>
    public static JsonObject Describe(TuneResult result)
    {
        TuningPlan plan = result.Plan;
        TuningOutcome outcome = result.Outcome;
        return new JsonObject
        {
            ["model"] = plan.Model,
            ["objective"] = plan.Objective.Key(),
            ["budget_cpu_seconds"] = plan.BudgetCpuSeconds,
            ["max_trials"] = plan.MaxTrials,
            ["cpu_seconds"] = Math.Round(outcome.CpuSeconds, 3),
            ["wall_seconds"] = Math.Round(result.WallSeconds, 3),
            ["trials"] = outcome.Trials.Count,
            ["pruned"] = outcome.Pruned,
            ["failed"] = outcome.Trials.Count(t => t.Status == TrialStatus.Failed),
            ["default_metric"] = Metric(plan, outcome.Default),
            ["best_metric"] = Metric(plan, outcome.Best),
            ["best_trial"] = outcome.Best?.Number,
            ["best_parameters"] = outcome.Best?.Parameters.DeepClone(),
            ["best_config"] = outcome.Best is null ? null : result.BestConfigPath,
            ["out"] = result.Directory,
        };
    }

    private static void Print(TuneResult result, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(Describe(result).ToJsonString(CliRun.JsonOptions));
            return;
        }

        TuningOutcome outcome = result.Outcome;
        string label = result.Plan.Objective.Label();
        Console.Out.WriteLine(outcome.Best is null
            ? $"tuned {result.Plan.Model}: no trial completed within the budget ({outcome.Trials.Count} trials, {outcome.CpuSeconds:F0} CPU s); no best.json"
            : $"tuned {result.Plan.Model}: {outcome.Trials.Count} trials ({outcome.Pruned} pruned) in {outcome.CpuSeconds:F0} CPU s; best {label} " +
              $"{Metric(result.Plan, outcome.Best):F4} (trial {outcome.Best.Number}; default {Metric(result.Plan, outcome.Default):F4}) → {result.BestConfigPath}");
    }

    private static double? Metric(TuningPlan plan, TrialRecord? trial) =>
        trial is { IsComplete: true } ? Math.Round(plan.Objective.MetricOf(trial.Loss), 6) : null;

    private static string BudgetText(TuningPlan plan) => (plan.BudgetCpuSeconds, plan.MaxTrials) switch
    {
        ({ } s, { } n) => $"{s:F0} CPU s or {n} trials",
        ({ } s, null) => $"{s:F0} CPU s",
        (null, { } n) => $"{n} trials",
        _ => "none",
    };

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
