using System.Text.Json;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Reporting;

namespace NetflixRec.Training.Cli;

/// <summary>
/// One model's result in a study, typed while <c>compare</c> works on it and turned into its <c>results.json</c> object
/// only at the edge (<see cref="ToJson"/>; <see cref="FromJson"/> reads a saved one back for reuse). The evaluation is
/// the <c>evaluate --json</c> object verbatim, so both commands keep one set of field names; the rest are the costs and
/// side results compare adds, in the order they are written.
/// </summary>
internal sealed record StudyEntry(
    JsonObject Evaluation,
    long PeakRssBytes,
    double TrainCpuSeconds,
    IReadOnlyList<EpochRecord> LearningCurve,
    int BestEpoch,
    JsonObject Config,
    bool Reused,
    JsonObject? Tuning = null,
    DefaultScores? Default = null,
    SeedSummary? Seeds = null,
    OnnxCosts? Onnx = null,
    string? OnnxError = null,
    RmseDifference? RmseVsBest = null)
{
    private static readonly JsonSerializerOptions s_snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // The fields compare adds to the evaluation object; everything else in a saved row is the evaluation.
    private static readonly HashSet<string> s_studyFields =
    [
        "peak_rss_bytes", "train_cpu_seconds", "learning_curve", "best_epoch", "config", "reused", "tuning", "default", "seeds",
        "onnx_error", "onnx_bytes", "onnx_export_seconds", "onnx_max_abs_difference", "onnx_provider", "onnx_ms_per_user",
        "in_process_ms_per_user", "rmse_vs_best",
    ];

    public string Model => Evaluation["model"]?.GetValue<string>() ?? throw new InvalidDataException("study row without a model name");

    /// <summary>A probe metric of the evaluation by its JSON name (<c>rmse</c>, <c>recall@20</c>…); NaN when undefined.</summary>
    public double Metric(string name) => JsonNumbers.Of(Evaluation, name);

    /// <summary>Validation RMSE at the epoch that was kept; NaN when the model has no validation curve.</summary>
    public double ValidationRmse => LearningCurve.FirstOrDefault(e => e.Epoch == BestEpoch)?.ValidationRmse ?? double.NaN;

    public JsonObject ToJson()
    {
        var json = (JsonObject)Evaluation.DeepClone();
        json["peak_rss_bytes"] = PeakRssBytes;
        json["train_cpu_seconds"] = TrainCpuSeconds;
        json["learning_curve"] = JsonSerializer.SerializeToNode(LearningCurve, s_snake);
        json["best_epoch"] = BestEpoch;
        json["config"] = Config.DeepClone();
        json["reused"] = Reused;
        if (Tuning is not null)
        {
            json["tuning"] = Tuning.DeepClone();
        }

        if (Default is not null)
        {
            json["default"] = Default.ToJson();
        }

        if (Seeds is not null)
        {
            json["seeds"] = Seeds.ToJson();
        }

        if (OnnxError is not null)
        {
            json["onnx_error"] = OnnxError;
        }

        Onnx?.WriteTo(json);
        if (RmseVsBest is { } d)
        {
            json["rmse_vs_best"] = new JsonObject
            {
                ["reference"] = d.Reference,
                ["difference"] = d.Difference,
                ["low"] = d.Low,
                ["high"] = d.High,
                ["confidence"] = d.Confidence,
                ["resamples"] = d.Resamples,
            };
        }

        return json;
    }

    /// <summary>Reads a row saved by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    public static StudyEntry FromJson(JsonObject row, string source)
    {
        ArgumentNullException.ThrowIfNull(row);
        var evaluation = new JsonObject();
        foreach ((string key, JsonNode? value) in row)
        {
            if (!s_studyFields.Contains(key))
            {
                evaluation[key] = value?.DeepClone();
            }
        }

        if (evaluation["model"] is null)
        {
            throw new InvalidDataException($"{source}: no 'model' field");
        }

        JsonObject config = row["config"] as JsonObject ?? throw new InvalidDataException($"{source}: no 'config' object");
        IReadOnlyList<EpochRecord> curve = row["learning_curve"]?.Deserialize<List<EpochRecord>>(s_snake) ?? [];
        RmseDifference? vsBest = row["rmse_vs_best"] is JsonObject d
            ? new RmseDifference(evaluation["model"]!.GetValue<string>(), d["reference"]?.GetValue<string>() ?? "?", JsonNumbers.Of(d, "difference"),
                JsonNumbers.Of(d, "low"), JsonNumbers.Of(d, "high"), JsonNumbers.Of(d, "confidence"), (int)JsonNumbers.Of(d, "resamples"))
            : null;
        return new StudyEntry(
            evaluation,
            (long)Zero(JsonNumbers.Of(row, "peak_rss_bytes")),
            JsonNumbers.Of(row, "train_cpu_seconds"),
            curve,
            (int)Zero(JsonNumbers.Of(row, "best_epoch")),
            (JsonObject)config.DeepClone(),
            row["reused"]?.GetValue<bool>() ?? false,
            row["tuning"]?.DeepClone() as JsonObject,
            DefaultScores.FromJson(row["default"]),
            SeedSummary.FromJson(row["seeds"]),
            OnnxCosts.FromJson(row),
            row["onnx_error"]?.GetValue<string>(),
            vsBest);
    }

    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;
}

/// <summary>The default configuration's probe scores, shown beside a tuned model's.</summary>
internal sealed record DefaultScores(double Rmse, double Mae, double Recall, double Ndcg, double ValidationRmse, int BestEpoch, double TrainCpuSeconds,
    JsonObject Config)
{
    public static DefaultScores Of(StudyEntry entry) => new(entry.Metric("rmse"), entry.Metric("mae"), entry.Metric("recall@20"), entry.Metric("ndcg@20"),
        entry.ValidationRmse, entry.BestEpoch, entry.TrainCpuSeconds, entry.Config);

    public JsonObject ToJson() => new()
    {
        ["rmse"] = Finite(Rmse),
        ["mae"] = Finite(Mae),
        ["recall@20"] = Finite(Recall),
        ["ndcg@20"] = Finite(Ndcg),
        ["validation_rmse"] = Finite(ValidationRmse),
        ["best_epoch"] = BestEpoch,
        ["train_cpu_seconds"] = Finite(TrainCpuSeconds),
        ["config"] = Config.DeepClone(),
    };

    public static DefaultScores? FromJson(JsonNode? node) => node is JsonObject s
        ? new DefaultScores(JsonNumbers.Of(s, "rmse"), JsonNumbers.Of(s, "mae"), JsonNumbers.Of(s, "recall@20"), JsonNumbers.Of(s, "ndcg@20"),
            JsonNumbers.Of(s, "validation_rmse"), (int)JsonNumbers.Of(s, "best_epoch"), JsonNumbers.Of(s, "train_cpu_seconds"),
            s["config"]?.DeepClone() as JsonObject ?? [])
        : null;

    internal static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>Mean and sample standard deviation of the main probe metrics over <c>--seeds N</c> trainings.</summary>
internal sealed record SeedSummary(IReadOnlyList<int> Seeds, IReadOnlyList<(string Metric, double Mean, double Sd)> Metrics)
{
    private static readonly string[] s_metrics = ["rmse", "mae", "recall@20", "ndcg@20"];

    public static SeedSummary Of(IReadOnlyList<StudyEntry> repeats)
    {
        var metrics = new List<(string, double, double)>();
        foreach (string key in s_metrics)
        {
            double[] values = [.. repeats.Select(r => r.Metric(key)).Where(double.IsFinite)];
            double mean = values.Length > 0 ? values.Average() : double.NaN;
            double sd = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : double.NaN;
            metrics.Add((key, mean, sd));
        }

        return new SeedSummary([.. repeats.Select(r => r.Config["seed"]?.GetValue<int>() ?? 0)], metrics);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["n"] = Seeds.Count, ["seeds"] = new JsonArray([.. Seeds.Select(s => JsonValue.Create(s))]) };
        foreach ((string metric, double mean, double sd) in Metrics)
        {
            json[metric] = new JsonObject
            {
                ["mean"] = double.IsFinite(mean) ? Math.Round(mean, 6) : null,
                ["sd"] = double.IsFinite(sd) ? Math.Round(sd, 6) : null,
            };
        }

        return json;
    }

    public static SeedSummary? FromJson(JsonNode? node) => node is JsonObject s
        ? new SeedSummary(
            [.. (s["seeds"] as JsonArray ?? []).Select(v => v is JsonValue value && value.TryGetValue(out int seed) ? seed : 0)],
            [.. s_metrics.Select(m => (m, JsonNumbers.Of(s[m], "mean"), JsonNumbers.Of(s[m], "sd")))])
        : null;
}

/// <summary>What exporting cost and what serving it costs: the ONNX file, its parity with the model, scoring speed.</summary>
internal sealed record OnnxCosts(long? Bytes, double? ExportSeconds, double MaxAbsDifference, string Provider, double MsPerUser, double InProcessMsPerUser)
{
    public void WriteTo(JsonObject json)
    {
        json["onnx_bytes"] = Bytes;
        json["onnx_export_seconds"] = ExportSeconds;
        json["onnx_max_abs_difference"] = MaxAbsDifference;
        json["onnx_provider"] = Provider;
        json["onnx_ms_per_user"] = MsPerUser;
        json["in_process_ms_per_user"] = InProcessMsPerUser;
    }

    public static OnnxCosts? FromJson(JsonObject row) => row["onnx_ms_per_user"] is JsonValue
        ? new OnnxCosts(
            row["onnx_bytes"] is JsonValue b && b.TryGetValue(out long bytes) ? bytes : null,
            row["onnx_export_seconds"] is JsonValue e && e.TryGetValue(out double seconds) ? seconds : null,
            JsonNumbers.Of(row, "onnx_max_abs_difference"),
            row["onnx_provider"]?.GetValue<string>() ?? "?",
            JsonNumbers.Of(row, "onnx_ms_per_user"),
            JsonNumbers.Of(row, "in_process_ms_per_user"))
        : null;
}
