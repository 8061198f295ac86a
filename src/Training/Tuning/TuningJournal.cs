using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// The JSON form of a tuning run (<c>trials.json</c>): what defines the run — model, objective, sampler, seed, pruning,
/// data, space, base configuration — and every trial so far. Written after each trial, it is also what a resumed run
/// starts from; a journal of another run is refused rather than mixed in.
/// </summary>
public static class TuningJournal
{
    public const string FileName = "trials.json";

    public static JsonObject ToJson(TuningPlan plan, string sampler, string dataFingerprint, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(trials);
        TrialRecord? best = TuningOutcome.BestOf(trials);
        return new JsonObject
        {
            ["model"] = plan.Model,
            ["objective"] = plan.Objective.Key(),
            ["sampler"] = sampler,
            ["seed"] = plan.Seed,
            ["prune"] = plan.Prune,
            ["data_fingerprint"] = dataFingerprint,
            ["space"] = plan.Space.ToJson(),
            ["base_config"] = plan.BaseConfig.DeepClone(),
            ["budget"] = new JsonObject { ["cpu_seconds"] = plan.BudgetCpuSeconds, ["trials"] = plan.MaxTrials },
            ["cpu_seconds_spent"] = Math.Round(trials.Sum(t => t.CpuSeconds), 3),
            ["trials_run"] = trials.Count,
            ["trials_pruned"] = trials.Count(t => t.Status == TrialStatus.Pruned),
            ["best_trial"] = best?.Number,
            ["best_metric"] = best is null ? null : plan.Objective.MetricOf(best.Loss),
            ["trials"] = new JsonArray([.. trials.Select(t => (JsonNode)TrialToJson(plan.Objective, t))]),
        };
    }

    /// <summary>
    /// The trials of an earlier run of the same definition; an error naming the first field that differs otherwise.
    /// The budget may differ: a resumed run may be given more.
    /// </summary>
    public static IReadOnlyList<TrialRecord> Resume(JsonObject journal, TuningPlan plan, string sampler, string dataFingerprint, string source)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(plan);
        JsonObject expected = ToJson(plan, sampler, dataFingerprint, []);
        foreach (string field in new[] { "model", "objective", "sampler", "seed", "prune", "data_fingerprint", "space", "base_config" })
        {
            if (!JsonNode.DeepEquals(journal[field], expected[field]))
            {
                throw new InvalidDataException($"{source}: holds a tuning run with another '{field}' ({journal[field]?.ToJsonString() ?? "none"}, " +
                    $"this run: {expected[field]?.ToJsonString()}); choose another --out to start a new run");
            }
        }

        if (journal["trials"] is not JsonArray trials)
        {
            throw new InvalidDataException($"{source}: 'trials' is missing");
        }

        return [.. trials.Select((t, i) => TrialFromJson(plan.Objective, t as JsonObject ?? throw new InvalidDataException($"{source}: trial {i} is not an object"), $"{source}: trial {i}"))];
    }

    public static JsonObject TrialToJson(TuningObjective objective, TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return new JsonObject
        {
            ["number"] = trial.Number,
            ["status"] = trial.Status switch
            {
                TrialStatus.Complete => "complete",
                TrialStatus.Pruned => "pruned",
                TrialStatus.OutOfBudget => "out_of_budget",
                _ => "failed",
            },
            ["metric"] = double.IsFinite(trial.Loss) ? objective.MetricOf(trial.Loss) : null,
            ["parameters"] = trial.Parameters.DeepClone(),
            ["epochs"] = trial.Curve.Count,
            ["curve"] = new JsonArray([.. trial.Curve.Select(v => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : null)]),
            ["cpu_seconds"] = Math.Round(trial.CpuSeconds, 3),
            ["wall_seconds"] = Math.Round(trial.WallSeconds, 3),
            ["error"] = trial.Error,
        };
    }

    private static TrialRecord TrialFromJson(TuningObjective objective, JsonObject json, string where)
    {
        try
        {
            TrialStatus status = json["status"]!.GetValue<string>() switch
            {
                "complete" => TrialStatus.Complete,
                "pruned" => TrialStatus.Pruned,
                "out_of_budget" => TrialStatus.OutOfBudget,
                "failed" => TrialStatus.Failed,
                string other => throw new InvalidDataException($"{where}: unknown status '{other}'"),
            };
            double loss = json["metric"] is JsonNode metric ? objective.LossOf(metric.GetValue<double>()) : double.NaN;
            double[] curve = [.. (json["curve"] as JsonArray ?? []).Select(v => v?.GetValue<double>() ?? double.NaN)];
            return new TrialRecord(json["number"]!.GetValue<int>(), (JsonObject)json["parameters"]!.DeepClone(), status, loss, curve,
                json["cpu_seconds"]!.GetValue<double>(), json["wall_seconds"]!.GetValue<double>(), json["error"]?.GetValue<string>());
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or InvalidCastException)
        {
            throw new InvalidDataException($"{where}: a field is missing or of the wrong type ({e.Message})", e);
        }
    }
}
