using System.Text.Json.Nodes;

namespace NetflixRec.Training.Reporting;

/// <summary>What tuning did for one model in <c>compare --tune</c>: budget, cost, trials, and the validation scores.</summary>
public sealed record TuningSummary(string Objective, double BudgetCpuSeconds, double CpuSeconds, int Trials, int Pruned,
    double DefaultValidation, double BestValidation, string BestParameters)
{
    public static TuningSummary? FromJson(JsonNode? node) => node is JsonObject t
        ? new TuningSummary(t["objective"]?.GetValue<string>() ?? "rmse", JsonNumbers.Of(t, "budget_cpu_seconds"), JsonNumbers.Of(t, "cpu_seconds"),
            (int)JsonNumbers.Of(t, "trials"), (int)JsonNumbers.Of(t, "pruned"), JsonNumbers.Of(t, "default_metric"), JsonNumbers.Of(t, "best_metric"),
            t["best_parameters"]?.ToJsonString() ?? "–")
        : null;
}

/// <summary>Probe scores of another training of the same model (the default configuration beside a tuned one).</summary>
public sealed record ProbeScores(double Rmse, double Mae, double Recall, double Ndcg)
{
    public static ProbeScores? FromJson(JsonNode? node) => node is JsonObject s
        ? new ProbeScores(JsonNumbers.Of(s, "rmse"), JsonNumbers.Of(s, "mae"), JsonNumbers.Of(s, "recall@20"), JsonNumbers.Of(s, "ndcg@20"))
        : null;
}

/// <summary>Mean and standard deviation of the probe metrics over <c>compare --seeds N</c> repeats.</summary>
public sealed record SeedSpread(int Count, double RmseMean, double RmseSd, double RecallMean, double RecallSd, double NdcgMean, double NdcgSd)
{
    public static SeedSpread? FromJson(JsonNode? node) => node is JsonObject s
        ? new SeedSpread((int)JsonNumbers.Of(s, "n"), JsonNumbers.Of(s["rmse"], "mean"), JsonNumbers.Of(s["rmse"], "sd"),
            JsonNumbers.Of(s["recall@20"], "mean"), JsonNumbers.Of(s["recall@20"], "sd"), JsonNumbers.Of(s["ndcg@20"], "mean"), JsonNumbers.Of(s["ndcg@20"], "sd"))
        : null;
}

/// <summary>Numbers from result JSON: values built in this process keep their CLR type; parsed ones are JSON elements.</summary>
internal static class JsonNumbers
{
    public static double Of(JsonNode? node, string name) => node?[name] is JsonValue value
        ? value.TryGetValue(out double d) ? d : value.TryGetValue(out long l) ? l : value.TryGetValue(out int i) ? i : double.NaN
        : double.NaN;
}
