using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Reporting;

namespace NetflixRec.Training.Cli;

/// <summary>
/// What to compare: the dataset, the models in order, per-model overrides, where to write, and how. With
/// <paramref name="TuneSeconds"/> every model is first tuned with that many CPU seconds (the same budget for all) and the
/// study trains its best configuration, beside the default's; <paramref name="Seeds"/> &gt; 1 repeats each training with
/// further seeds to show run-to-run noise.
/// </summary>
internal sealed record StudyPlan(string Data, IReadOnlyList<string> Models, JsonObject Overrides, string Output, int Bootstrap, int Threads, string Command,
    double? TuneSeconds = null, int Seeds = 1);

/// <summary>What a study produced: one row per model, the <c>compare --json</c> object and the report's path.</summary>
internal sealed record StudyOutcome(IReadOnlyList<StudyRow> Rows, JsonObject Json, string ReportPath, int Reused, double Seconds);

/// <summary>
/// The edge that runs a study: trains (or reuses) each model into RESULTS_DIR/models/NAME, evaluates it on data indexed
/// once, measures time and memory, bootstraps the differences against the best model, and writes report.md,
/// results.json and the charts — each file written whole or not at all.
/// </summary>
internal static class StudyRunner
{
    public const string ResultsFileName = "results.json";
    public const string ModelsDirectoryName = "models";
    public const string TuningDirectoryName = "tuning";

    /// <summary>Models trained only for the study's side columns (the default beside a tuned one, seed repeats): kept out of
    /// models/, which a server loads whole.</summary>
    public const string DefaultsDirectoryName = "defaults";
    public const string SeedsDirectoryName = "seeds";

    /// <summary>The row saved next to each trained model: what makes a re-run skip it.</summary>
    public const string RowFileName = "study_row.json";

    private const int BootstrapSeed = 20061002;

    // A cap on trials as well as seconds: on a small set a cheap model fits thousands of trials into its budget, and a
    // search that long starts to fit the validation slice's noise instead of the model's settings.
    private const int MaxTuningTrials = 100;

    // Enough users for a stable figure at a second or two per model on two cores.
    private const int ScoringUsers = 1024;
    private const int ScoringBatch = 64;

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static StudyOutcome Run(StudyPlan plan)
    {
        if (plan.Bootstrap < 10)
        {
            throw new ArgumentException($"--bootstrap: {plan.Bootstrap}: use at least 10 resamples", nameof(plan));
        }

        if (plan.TuneSeconds is { } tune && !(tune > 0 && double.IsFinite(tune)))
        {
            throw new ArgumentException($"--tune: {tune}: give a positive number of CPU seconds per model", nameof(plan));
        }

        if (plan.Seeds < 1)
        {
            throw new ArgumentException($"--seeds: {plan.Seeds}: must be at least 1", nameof(plan));
        }

        // One budget file serves a study and any subset of it (as for the benchmarks): a model's entry is used when the
        // model is compared, and still checked when it is not, so that a misspelled model or field is never ignored.
        foreach ((string key, JsonNode? value) in plan.Overrides)
        {
            if (!ModelCatalog.Names.Contains(key))
            {
                throw new ArgumentException($"--config: '{key}' is not a model; known: {string.Join(", ", ModelCatalog.Names)}", nameof(plan));
            }

            if (!plan.Models.Contains(key))
            {
                ModelCatalog.Configure(key, value?.DeepClone() as JsonObject ?? [], "--config");
                CliRun.Progress($"compare: --config: '{key}' is not among the compared models; its settings are not used");
            }
        }

        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        LocalDataset dataset = LocalDataset.Open(plan.Data);
        string modelsRoot = Path.Combine(plan.Output, ModelsDirectoryName);
        Directory.CreateDirectory(modelsRoot);

        (StudyEvaluation evaluation, TrainingSplits splits) = IndexForEvaluation(dataset);
        EvaluationOptions evaluationOptions = EvaluationOptions.Default with { Threads = plan.Threads };

        var rows = new List<StudyEntry>();
        var errors = new Dictionary<string, UserErrors>();
        int reused = 0;
        for (int i = 0; i < plan.Models.Count; i++)
        {
            string name = plan.Models[i];
            CliRun.Progress($"compare: [{i + 1}/{plan.Models.Count}] {name}");
            (StudyEntry row, UserErrors userErrors, bool wasReused) = StudyModel(name, dataset, splits, evaluation, evaluationOptions, plan);
            reused += wasReused ? 1 : 0;
            errors[name] = userErrors;
            rows.Add(row);

            // The model, its trainer's torch tensors and its export are garbage now: hand them back before the next model,
            // whose peak would otherwise sit on top of them.
            ProcessMemory.ReleaseFreed();
            CliRun.Progress($"compare: {name}: done; {ProcessMemory.Describe()}");
        }

        IReadOnlyList<RmseDifference> differences = Differences(rows, errors, plan.Bootstrap);
        JsonObject[] rowJson = [.. rows.Select(r => (r with { RmseVsBest = differences.FirstOrDefault(d => d.Model == r.Model) }).ToJson())];
        StudyRow[] typed = [.. rowJson.Select(StudyRow.FromJson)];
        var context = new StudyContext(plan.Command, Path.GetFullPath(plan.Data), dataset.Manifest.Fingerprint, dataset.Manifest.Train,
            dataset.Manifest.Probe, dataset.Manifest.Users, dataset.Manifest.Movies, Machine(), started, clock.Elapsed.TotalSeconds);
        string reportPath = WriteStudy(plan.Output, context, typed, differences, rowJson, plan);
        CliRun.Progress($"compare: peak resident memory of the process {CliRun.Megabytes(ProcessMemory.ProcessPeakBytes())}");
        var json = new JsonObject
        {
            ["results"] = new JsonArray([.. rowJson.Select(r => (JsonNode)r.DeepClone())]),
            ["report"] = reportPath,
        };
        return new StudyOutcome(typed, json, reportPath, reused, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Loads the training partition and indexes it with the probe for evaluation; the loaded table goes on to the first
    /// training split instead of being read again, and nothing else keeps it.
    /// </summary>
    private static (StudyEvaluation Evaluation, TrainingSplits Splits) IndexForEvaluation(LocalDataset dataset)
    {
        CliRun.Progress($"compare: indexing {dataset.Manifest.Train:N0} training and {dataset.Manifest.Probe:N0} probe ratings");
        RatingTable train = dataset.LoadRatings(DatasetPartition.Train);
        return (new StudyEvaluation(dataset, train), new TrainingSplits(dataset, train));
    }

    /// <summary>
    /// One model's part of the study: tuned (with a budget), trained or reused, its side columns (the default beside a
    /// tuned configuration, seed repeats), exported and timed, and its per-user errors for the paired comparison. Its own
    /// method so that nothing of the model outlives it.
    /// </summary>
    private static (StudyEntry Row, UserErrors Errors, bool Reused) StudyModel(string name, LocalDataset dataset, TrainingSplits splits,
        StudyEvaluation evaluation, EvaluationOptions evaluationOptions, StudyPlan plan)
    {
        JsonObject overrides = plan.Overrides[name] as JsonObject ?? [];
        JsonObject defaults = ModelConfig.Merge(name, overrides);
        JsonObject hyperparameters = defaults;
        string directory = Path.Combine(plan.Output, ModelsDirectoryName, name);
        JsonObject? tuning = null;
        if (plan.TuneSeconds is { } budget)
        {
            // Tuning loads its own data: the study's training set and evaluation index go first, so that they never add up.
            splits.Release();
            evaluation.Release();
            ProcessMemory.ReleaseFreed();

            // The same CPU budget for every model; a re-run resumes the journal and reuses what it found.
            TuneResult tuned = TuneCommand.Run(plan.Data, name, Path.Combine(plan.Output, TuningDirectoryName, name), budget, MaxTuningTrials, null,
                seed: 1, plan.Threads, "tpe", prune: true, overrides);
            tuning = TuneCommand.Describe(tuned);

            // Trial 0 is the default: when nothing beat it, the tuned model is the default one, trained once.
            if (tuned.Outcome.Best is { Number: > 0 } best)
            {
                hyperparameters = tuned.Plan.ConfigOf(best.Parameters);
            }
        }

        (IRatingModel model, StudyEntry row, bool wasReused) = TrainOrReuse(name, hyperparameters, directory, dataset, splits, evaluation, evaluationOptions, plan);
        if (tuning is not null)
        {
            StudyEntry defaultRow = hyperparameters == defaults ? row
                : TrainOrReuse(name, defaults, Path.Combine(plan.Output, DefaultsDirectoryName, name), dataset, splits, evaluation, evaluationOptions, plan).Row;
            row = row with { Tuning = tuning, Default = DefaultScores.Of(defaultRow) };
        }

        if (plan.Seeds > 1)
        {
            var repeats = new List<StudyEntry> { row };
            int seed = hyperparameters["seed"]?.GetValue<int>() ?? 1;
            for (int k = 1; k < plan.Seeds; k++)
            {
                var reseeded = (JsonObject)hyperparameters.DeepClone();
                reseeded["seed"] = seed + k;
                repeats.Add(TrainOrReuse(name, reseeded, Path.Combine(plan.Output, SeedsDirectoryName, $"{name}.seed-{seed + k}"), dataset, splits, evaluation, evaluationOptions, plan).Row);
            }

            row = row with { Seeds = SeedSummary.Of(repeats) };
        }

        Save(directory, row);

        // The per-user errors first: the export loads its own copy of the model, so this one need not outlive them.
        // Predicting the probe and the export's checks allocate large short-lived buffers: collected as they go.
        using ManagedHeapGuard guard = ManagedHeapGuard.Start();
        EvaluationData indexed = evaluation.Data;
        UserErrors errors = UserErrors.Compute(RatingMetrics.PredictClipped(model, indexed.HeldOut, plan.Threads), indexed.HeldOut, indexed.Users);
        bool exportable = OnnxExporters.Supports(model);
        string kind = model.GetType().Name;
        if (!File.Exists(Path.Combine(directory, ModelDirectory.Onnx)) || row.Onnx is null)
        {
            if (exportable)
            {
                // The export reads the training ratings again, indexes them and opens ONNX Runtime (≈ 2–5 GB at Prize
                // size for a model that scores from the user's ratings): on top of the evaluation index alone, not of the
                // training set (≈ 0.9 GB, prepared again in seconds for the next model) or the trainer's garbage.
                splits.Release();
                ProcessMemory.ReleaseFreed();
                row = ExportAndTime(directory, plan, row);
            }
            else
            {
                // Recorded, not hidden: the report says so, and a re-run exports it once an exporter exists.
                row = row with { OnnxError = $"no ONNX exporter for {kind} yet" };
                CliRun.Progress($"compare: {name}: not exported: {row.OnnxError}");
            }
        }

        return (row, errors, wasReused);
    }

    /// <summary>
    /// Trains <paramref name="name"/> into <paramref name="directory"/> and evaluates it on the probe, or reuses the model a
    /// previous run trained there with the same hyperparameters on the same data.
    /// </summary>
    private static (IRatingModel Model, StudyEntry Row, bool Reused) TrainOrReuse(string name, JsonObject hyperparameters, string directory,
        LocalDataset dataset, TrainingSplits splits, StudyEvaluation evaluation, EvaluationOptions options, StudyPlan plan)
    {
        if (Reusable(directory, hyperparameters, dataset.Manifest.Fingerprint) is { } row)
        {
            CliRun.Progress($"compare: {Path.GetFileName(directory)}: already trained with this configuration and data; reusing {directory}");
            return (ModelStore.Load(directory).Model, row with { Reused = true }, true);
        }

        // Bound once to the model's config record: the split and the trainer read the record, the row keeps the JSON.
        TrainingOptions config = ModelCatalog.Find(name).Bind(hyperparameters, $"{name} configuration");
        TrainingData data = splits.For(config.ValidationFraction, config.Seed);
        (IRatingModel model, StudyEntry trained) = TrainAndEvaluate(name, hyperparameters, config, data, evaluation, options, directory, plan.Threads, plan.Data);
        return (model, trained, false);
    }

    /// <summary>
    /// The saved row of a model trained earlier with the same hyperparameters on the same data, else null. A directory
    /// that compare did not write (no study row) is refused, never deleted: it may be a user's model.
    /// </summary>
    private static StudyEntry? Reusable(string directory, JsonObject hyperparameters, string fingerprint)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        string rowPath = Path.Combine(directory, RowFileName);
        if (!File.Exists(rowPath) || !File.Exists(Path.Combine(directory, ModelDirectory.Manifest)))
        {
            throw new ArgumentException($"{directory}: exists but was not written by compare (no {RowFileName}); move it away or choose another --out", "--out");
        }

        ModelManifest manifest = ModelStore.ReadManifest(directory);
        JsonObject saved = JsonNode.Parse(File.ReadAllText(rowPath)) as JsonObject ?? throw new InvalidDataException($"{rowPath}: not a JSON object");
        StudyEntry row = StudyEntry.FromJson(saved, rowPath);
        bool same = manifest.DataFingerprint == fingerprint && JsonNode.DeepEquals(row.Config, hyperparameters);
        if (!same)
        {
            CliRun.Progress($"compare: {directory} was trained with another configuration or data; training again (the old model stays until the new one is complete)");
            return null;
        }

        return row;
    }

    private static (IRatingModel Model, StudyEntry Row) TrainAndEvaluate(string name, JsonObject hyperparameters, TrainingOptions config, TrainingData data,
        StudyEvaluation evaluation, EvaluationOptions options, string directory, int threads, string dataPath)
    {
        ModelEntry entry = ModelCatalog.Find(name);
        // The peak below is the model's own on top of what the study holds (its training set), not garbage, nor the
        // evaluation index, which is built again after the training.
        evaluation.Release();
        ProcessMemory.ReleaseFreed();
        CliRun.Progress($"compare: {name}: training on {data.Train.Count:N0} ratings; {ProcessMemory.Describe()}");
        CliRun.ResetPeakResident();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        TrainedModel trained = entry.Train(data, config, new Progress<EpochRecord>(e =>
            CliRun.Progress($"compare: {name}: epoch {e.Epoch}: train RMSE {e.TrainRmse:F4}, validation RMSE {e.ValidationRmse:F4} ({e.Seconds:F1} s)")));
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        long peak = CliRun.PeakResidentBytes();

        ModelManifest manifest = ModelStore.ManifestFor(trained, data, seconds,
            trained.Model.Tensors.ToDictionary(t => t.Name, t => t.ElementCount), Path.GetFullPath(dataPath));
        // Written beside the old model and swapped in only when complete: an interrupted retrain keeps the old one.
        // Ranking every held-out user allocates large short-lived buffers: collected as they go.
        using ManagedHeapGuard guard = ManagedHeapGuard.Start();
        (EvaluationResult result, StudyEntry row) = OutputDirectory.Replace(directory, staging =>
        {
            ModelStore.Save(staging, trained.Model, manifest);
            CliRun.Progress($"compare: {Path.GetFileName(directory)}: trained in {seconds:F1} s; evaluating");
            EvaluationResult result = Evaluator.Evaluate(trained.Model, evaluation.Data, options);
            JsonObject described = EvaluateCommand.Describe(result, ModelStore.ReadManifest(staging), staging);

            // CPU seconds beside wall seconds: the cost of training even when other jobs share the cores.
            var row = new StudyEntry(described, peak, Math.Round(cpuSeconds, 3), trained.Curve, trained.BestEpoch, (JsonObject)hyperparameters.DeepClone(), Reused: false);
            JsonObject json = row.ToJson();
            ModelStore.UpdateMetrics(staging, EvaluateCommand.MetricsOf(json));
            Save(staging, row);
            return (result, row);
        });
        CliRun.Progress($"compare: {Path.GetFileName(directory)}: RMSE {result.Rmse:F4}, Recall@20 {result.AtPrimaryCutoff.Recall:F4}");
        return (trained.Model, row);
    }

    /// <summary>
    /// Exports the model to ONNX (validated against the model itself) and times full-catalog scoring in ONNX Runtime and
    /// in process on the same users, the row saved again with the figures: the serving cost of each model.
    /// </summary>
    private static StudyEntry ExportAndTime(string directory, StudyPlan plan, StudyEntry row)
    {
        ExportResult export = ModelExport.Run(directory, plan.Data, CliRun.Progress);

        // The export's copies of the model and its rating history are garbage: the benchmark loads its own.
        ProcessMemory.ReleaseFreed();
        ScoringThroughput scoring = ScoringBenchmark.Measure(directory, ScoringUsers, ScoringBatch, plan.Threads, tryCuda: false, CliRun.Progress);
        var costs = new OnnxCosts(export.Manifest.Onnx?.Bytes, export.Manifest.Onnx?.ExportSeconds,
            Math.Max(export.Parity.MaxScoreDifference, export.Parity.MaxPairDifference), scoring.Provider,
            Math.Round(scoring.OnnxMsPerUser, 5), Math.Round(scoring.InProcessMsPerUser, 5));
        StudyEntry exported = row with { OnnxError = null, Onnx = costs };
        Save(directory, exported);
        CliRun.Progress($"compare: {row.Model}: model.onnx {CliRun.Megabytes(export.Manifest.Onnx?.Bytes ?? 0)}, ONNX Runtime {scoring.OnnxMsPerUser:F3} ms/user, " +
            $"in process {scoring.InProcessMsPerUser:F3} ms/user ({plan.Threads} threads, batches of {ScoringBatch})");
        return exported;
    }

    private static void Save(string directory, StudyEntry row) =>
        AtomicFile.WriteAllText(Path.Combine(directory, RowFileName), row.ToJson().ToJsonString(s_indented));

    /// <summary>Each model against the one with the lowest RMSE, paired over users.</summary>
    private static IReadOnlyList<RmseDifference> Differences(List<StudyEntry> rows, Dictionary<string, UserErrors> errors, int resamples)
    {
        string? best = errors.Where(e => double.IsFinite(e.Value.Rmse)).MinBy(e => e.Value.Rmse).Key;
        if (best is null)
        {
            return [];
        }

        return [.. rows.Select(r => r.Model).Where(m => m != best)
            .Select(m => PairedBootstrap.Compare(m, errors[m], best, errors[best], resamples, 0.95, BootstrapSeed))];
    }

    private static string WriteStudy(string output, StudyContext context, IReadOnlyList<StudyRow> rows, IReadOnlyList<RmseDifference> differences,
        IReadOnlyList<JsonObject> rowJson, StudyPlan plan)
    {
        // All charts or none replace the previous run's.
        IReadOnlyList<string> charts = OutputDirectory.ReplaceFiles(output, temp =>
        {
            IReadOnlyList<string> written = Charts.WriteAll(rows, temp);
            return (written, written);
        });

        IReadOnlyList<string> findings = Findings.Derive(rows, differences);
        var results = new JsonObject
        {
            ["command"] = context.Command,
            ["started"] = context.Started,
            ["seconds"] = Math.Round(context.Seconds, 1),
            ["machine"] = context.Machine,
            // The whole run's, across the per-model windows of the rows' peak_rss_bytes.
            ["process_peak_rss_bytes"] = ProcessMemory.ProcessPeakBytes(),
            ["netflixrec"] = typeof(StudyRunner).Assembly.GetName().Version?.ToString(),
            ["dotnet"] = Environment.Version.ToString(),
            ["dataset"] = new JsonObject
            {
                ["path"] = context.Dataset,
                ["fingerprint"] = context.DataFingerprint,
                ["train"] = context.TrainRatings,
                ["probe"] = context.ProbeRatings,
                ["users"] = context.Users,
                ["movies"] = context.Movies,
            },
            ["models"] = new JsonArray([.. plan.Models.Select(m => JsonValue.Create(m))]),
            ["bootstrap"] = new JsonObject { ["resamples"] = plan.Bootstrap, ["seed"] = BootstrapSeed, ["confidence"] = 0.95 },
            ["findings"] = new JsonArray([.. findings.Select(f => JsonValue.Create(f))]),
            ["results"] = new JsonArray([.. rowJson.Select(r => (JsonNode)r.DeepClone())]),
        };
        AtomicFile.WriteAllText(Path.Combine(output, ResultsFileName), results.ToJsonString(s_indented));
        string reportPath = Path.Combine(output, StudyReport.FileName);
        AtomicFile.WriteAllText(reportPath, StudyReport.Render(context, rows, differences, findings, charts));
        return reportPath;
    }


    /// <summary>Cores, CPU model, memory and OS: what a reader needs to put the timings in context.</summary>
    private static string Machine()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
            // Not Linux.
        }

        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0;
        return $"{Environment.ProcessorCount} cores ({cpu}), {memory:F0} GB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
