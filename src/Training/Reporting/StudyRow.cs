using System.Text.Json.Nodes;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Reporting;

/// <summary>RMSE of one user-activity bucket.</summary>
public sealed record BucketRmse(string Bucket, int Users, double Rmse);

/// <summary>
/// One model's line of the study, read from its <c>results.json</c> object (the <c>evaluate --json</c> fields plus the
/// costs <c>compare</c> measured). The JSON is the record of truth; this typed view is what the report and charts draw.
/// Undefined numbers are NaN (null in the JSON).
/// </summary>
public sealed record StudyRow(
    string Model,
    string Family,
    double Rmse,
    double Mae,
    double Recall,
    double Ndcg,
    double Coverage,
    double? OracleRmse,
    double TrainSeconds,
    double TrainCpuSeconds,
    double EpochSeconds,
    long PeakRssBytes,
    long ModelBytes,
    long OnnxBytes,
    double OnnxMsPerUser,
    double InProcessMsPerUser,
    IReadOnlyList<BucketRmse> RmseByActivity,
    IReadOnlyList<EpochRecord> Curve,
    string? OnnxError,
    TuningSummary? Tuning = null,
    ProbeScores? Default = null,
    SeedSpread? Seeds = null,
    TrainingBudget? Budget = null)
{
    public static StudyRow FromJson(JsonObject row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string model = row["model"]?.GetValue<string>() ?? throw new InvalidDataException("results row without a model name");
        double oracle = Number(row, "oracle_rmse");
        return new StudyRow(
            model,
            row["family"]?.GetValue<string>() ?? string.Empty,
            Number(row, "rmse"),
            Number(row, "mae"),
            Number(row, "recall@20"),
            Number(row, "ndcg@20"),
            Number(row, "coverage@20"),
            double.IsNaN(oracle) ? null : oracle,
            Number(row, "train_seconds"),
            Number(row, "train_cpu_seconds"),
            Number(row, "epoch_seconds"),
            (long)Zero(Number(row, "peak_rss_bytes")),
            (long)Zero(Number(row, "model_bytes")),
            (long)Zero(Number(row, "onnx_bytes")),
            Number(row, "onnx_ms_per_user"),
            Number(row, "in_process_ms_per_user"),
            Buckets(row["rmse_by_activity"] as JsonArray),
            ReadCurve(row["learning_curve"] as JsonArray),
            row["onnx_error"]?.GetValue<string>(),
            TuningSummary.FromJson(row["tuning"]),
            ProbeScores.FromJson(row["default"]),
            SeedSpread.FromJson(row["seeds"]),
            TrainingBudget.FromJson(row));
    }

    private static double Number(JsonObject row, string name) => JsonNumbers.Of(row, name);

    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;

    private static IReadOnlyList<BucketRmse> Buckets(JsonArray? buckets) =>
        buckets is null ? [] : [.. buckets.OfType<JsonObject>().Select(b => new BucketRmse(
            b["bucket"]?.GetValue<string>() ?? "?", (int)Zero(Number(b, "users")), Number(b, "rmse")))];

    private static IReadOnlyList<EpochRecord> ReadCurve(JsonArray? curve) =>
        curve is null ? [] : [.. curve.OfType<JsonObject>().Select(e => new EpochRecord(
            (int)Zero(Number(e, "epoch")), Number(e, "train_rmse"), Number(e, "validation_rmse"), Number(e, "seconds")))];
}
