using System.Text.Json;
using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Tests.Netflix;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>
/// The commands return typed records and only <see cref="CliRun.ToJson"/> turns them into their <c>--json</c> line. Users
/// and bench scripts read those lines, so the field names and their order are pinned here, as printed before the
/// results were typed (renaming or reordering a property must fail a test, not a script).
/// </summary>
public sealed class CommandResultJsonTests
{
    [Fact]
    public void Ingest_PrintsItsFieldsInOrder()
    {
        var result = new IngestSummary(10068, 400, 150, 150, 150, 285, 210_000, 90_000, 0.5, 0.1, 0.2, 0.2, 20136, 50_000_000, "abc");

        JsonElement json = Print(result);

        Assert.Equal(
            ["ratings", "users", "movies", "titles", "probe", "qualifying", "bytes_in", "bytes_out", "seconds", "parse_seconds", "transform_seconds",
             "write_seconds", "ratings_per_second", "peak_rss_bytes", "fingerprint"],
            Names(json));
        Assert.Equal(10068, json.GetProperty("ratings").GetInt64());
        Assert.Equal("abc", json.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void Export_PrintsItsFieldsInOrder_WeightParityNestedOrNull()
    {
        var parity = new WeightParity("int8", 1000, 16000, 0.99, 0.8, 0.013, 0.006, 0.9, 0.05);
        var reduced = new ExportSummary("biased-mf", "m/model.onnx", 1234, 0.25, 1.5, 8, 17, "index", "rating", false, 2e-7, 32, "int8",
            ExportWeightParity.From(parity));

        JsonElement json = Print(reduced);
        JsonElement exact = Print(reduced with { Weights = "fp32", WeightParity = null });

        Assert.Equal(
            ["model", "onnx", "bytes", "export_seconds", "seconds", "ir_version", "opset", "user_input", "score_kind", "wrote_history",
             "parity_max_abs_diff", "parity_users", "weights", "weight_parity"],
            Names(json));
        Assert.Equal(
            ["mean_top10_overlap", "min_top10_overlap", "max_score_difference", "max_pair_difference", "users", "pairs",
             "min_top10_overlap_gate", "max_score_difference_gate"],
            Names(json.GetProperty("weight_parity")));
        Assert.Equal(JsonValueKind.Null, exact.GetProperty("weight_parity").ValueKind);
    }

    [Fact]
    public void Generate_PrintsItsFieldsInOrder()
    {
        var result = new GenerateSummary("tiny", 2006, 2, 10068, 400, 150, 150, 150, 285, 210_000, 0.5, 50_000_000);

        JsonElement json = Print(result);

        Assert.Equal(
            ["scale", "seed", "generator_version", "ratings", "users", "movies", "titles", "probe", "qualifying", "bytes", "seconds", "peak_rss_bytes"],
            Names(json));
        Assert.Equal(2, json.GetProperty("generator_version").GetInt32());
    }

    [Fact]
    public void BenchOnnx_PrintsItsFieldsInOrder()
    {
        var result = new BenchOnnxSummary("svdpp", 50, 150, 16, 1, "CPU", 1234.5, 2345.6, 1000.1, 2000.2, 4096, 0.12);

        JsonElement json = Print(result);

        Assert.Equal(
            ["model", "users", "movies", "batch", "threads", "provider", "onnx_users_per_second", "in_process_users_per_second",
             "onnx_users_per_cpu_second", "in_process_users_per_cpu_second", "onnx_bytes", "export_seconds"],
            Names(json));
        Assert.Equal(2345.6, json.GetProperty("in_process_users_per_second").GetDouble());
    }

    [Fact]
    public void BenchSgd_PrintsItsFieldsInOrder_MillionsAsMPrefix()
    {
        var result = new BenchSgdSummary(9918, 8, 1, 1, 2, 0.1, 0.01, 0.005, [0.004, 0.006], 2.1, 2.5, 0.005, 1.9, 0.91234, 60_000_000);

        JsonElement json = Print(result);

        Assert.Equal(
            ["ratings", "factors", "threads", "grid_blocks", "epochs", "load_seconds", "setup_seconds", "seconds_per_epoch", "epoch_seconds",
             "m_updates_per_second", "best_epoch_m_updates_per_second", "cpu_seconds_per_epoch", "m_updates_per_cpu_second", "train_rmse", "peak_rss_bytes"],
            Names(json));
        Assert.Equal([0.004, 0.006], json.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(2.5, json.GetProperty("best_epoch_m_updates_per_second").GetDouble());
    }

    [Fact]
    public void BenchRoofline_PrintsItsFieldsInOrder()
    {
        var result = new BenchRooflineSummary(2, 64, 10.5, 6.25, 12.5, 1L << 20, 8.1, 9.2, 7.3, 8.4, 1.14, 0.875, 1.5);

        JsonElement json = Print(result);

        Assert.Equal(
            ["threads", "gemm_size", "gemm_gflops", "gemm_gflops_per_cpu_second", "gemm_gflops_dedicated", "stream_bytes_per_array",
             "managed_copy_gbps", "managed_triad_gbps", "torch_copy_gbps", "torch_triad_gbps", "ridge_flops_per_byte", "cpu_utilization", "seconds"],
            Names(json));
        Assert.Equal(12.5, json.GetProperty("gemm_gflops_dedicated").GetDouble());
    }

    [Fact]
    public void BenchGnn_PrintsThreadsThenOneObjectPerModel()
    {
        var sage = new BenchGnnModelTimings("sage", 8887, 400, 150, 2, [0.2, 0.3], [0.5, 0.5], 0.5, true, [0.1, 0.2], [0.3, 0.4], 17774, 0.9,
            100_000_000, [120_000_000, 121_000_000], 125_000_000, 0.95);
        var result = new BenchGnnSummary(1, [sage, sage with { Model = "lightgcn", Extrapolated = false }]);

        JsonElement json = Print(result);

        Assert.Equal(["threads", "results"], Names(json));
        JsonElement[] rows = [.. json.GetProperty("results").EnumerateArray()];
        Assert.Equal(["sage", "lightgcn"], rows.Select(r => r.GetProperty("model").GetString()));
        Assert.Equal(
            ["model", "ratings", "users", "movies", "epochs", "epoch_seconds", "epoch_fraction_done", "seconds_per_epoch", "extrapolated",
             "epoch_cpu_seconds", "cpu_seconds_with_checks", "ratings_per_second", "setup_and_validation_seconds", "rss_before_bytes",
             "rss_after_epoch_bytes", "peak_rss_bytes", "validation_rmse"],
            Names(rows[0]));
        Assert.Equal([120_000_000L, 121_000_000L], rows[0].GetProperty("rss_after_epoch_bytes").EnumerateArray().Select(e => e.GetInt64()));
        Assert.False(rows[1].GetProperty("extrapolated").GetBoolean());
    }

    [Fact]
    public void BenchAe_PrintsResultsThenThreads()
    {
        var row = new BenchAeModelTimings("autorec-u", 9918, 1, [0.2], [0.665], true, [0.1], 200_000_000, 59284, 59284, 123_456);
        var result = new BenchAeSummary([row], 1);

        JsonElement json = Print(result);

        Assert.Equal(["results", "threads"], Names(json));
        Assert.Equal(
            ["model", "ratings", "epochs", "epoch_seconds", "epoch_fraction_done", "extrapolated", "epoch_cpu_seconds", "peak_rss_bytes",
             "ratings_per_second", "best_epoch_ratings_per_second", "parameters"],
            Names(json.GetProperty("results")[0]));
        Assert.Equal(0.665, json.GetProperty("results")[0].GetProperty("epoch_fraction_done")[0].GetDouble());
    }

    [Fact]
    public void Train_PrintsItsFieldsInOrder_NoValidationAsNull()
    {
        var result = new TrainSummary("bias", "baseline", 0.1, 3, 2, null, 551, "/tmp/m");

        JsonElement json = Print(result);

        Assert.Equal(["model", "family", "train_seconds", "epochs", "best_epoch", "validation_rmse", "parameters", "out"], Names(json));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("validation_rmse").ValueKind);
    }

    [Fact]
    public void DictionaryKeys_PrintAsGiven()
    {
        // export and generate still print dictionaries; the record naming policy must not touch their keys.
        JsonElement json = Print(new Dictionary<string, object?> { ["onnx_bytes"] = 1, ["recall@20"] = 0.5, ["ExportSeconds"] = 2 });

        Assert.Equal(["onnx_bytes", "recall@20", "ExportSeconds"], Names(json));
    }

    [Fact]
    public void IngestRun_ReturnsTheStoredCounts()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);
        string output = dir.Combine("dataset");

        IngestSummary result = IngestCommand.Run(dir.Path, output, threads: 1, json: true);

        DatasetManifest manifest = LocalDataset.Open(output).Manifest;
        Assert.Equal(5, result.Ratings);
        Assert.Equal((manifest.Users, manifest.Movies, manifest.Titles, manifest.Probe, manifest.Qualifying),
            (result.Users, result.Movies, result.Titles, result.Probe, result.Qualifying));
        Assert.Equal(manifest.Fingerprint, result.Fingerprint);
        Assert.True(result.BytesIn > 0 && result.BytesOut > 0);
        Assert.InRange(result.ParseSeconds + result.TransformSeconds + result.WriteSeconds, result.Seconds - 0.0025, result.Seconds + 0.0025);
    }

    private static JsonElement Print<T>(T result)
    {
        using JsonDocument document = JsonDocument.Parse(CliRun.ToJson(result));
        return document.RootElement.Clone();
    }

    private static string[] Names(JsonElement json) => [.. json.EnumerateObject().Select(p => p.Name)];
}
