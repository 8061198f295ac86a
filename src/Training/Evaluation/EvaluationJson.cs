using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// The <c>evaluate --json</c> object of DESIGN.md: first the fields other tools rely on, in its order —
/// <c>model, family, rmse, mae, recall@20, ndcg@20, coverage@20, oracle_rmse</c> — then the extras: the other metrics
/// per cutoff (<c>recall@K, ndcg@K, map@K, coverage@K, popularity_percentile@K, popularity_lift@K</c>), the oracle
/// comparison, user counts, throughput, seconds and <c>rmse_by_activity</c>. Undefined numbers (no oracle, an empty
/// bucket, no relevant users) are written as null.
/// </summary>
public static class EvaluationJson
{
    // Relaxed escaping keeps labels such as "201+" readable; the output is a console line, never HTML.
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject ToJsonObject(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        CutoffMetrics primary = result.AtPrimaryCutoff;
        var json = new JsonObject
        {
            ["model"] = result.Model,
            ["family"] = result.Family,
            ["rmse"] = Number(result.Rmse),
            ["mae"] = Number(result.Mae),
            [$"recall@{primary.K}"] = Number(primary.Recall),
            [$"ndcg@{primary.K}"] = Number(primary.Ndcg),
            [$"coverage@{primary.K}"] = Number(primary.Coverage),
            ["oracle_rmse"] = Number(result.OracleRmse),
            ["rmse_vs_oracle"] = Number(result.Accuracy.RmseVsOracle),
        };
        foreach (CutoffMetrics cutoff in result.Ranking.Cutoffs.OrderBy(c => c.K))
        {
            Add(json, $"recall@{cutoff.K}", cutoff.Recall);
            Add(json, $"ndcg@{cutoff.K}", cutoff.Ndcg);
            Add(json, $"map@{cutoff.K}", cutoff.Map);
            Add(json, $"coverage@{cutoff.K}", cutoff.Coverage);
            Add(json, $"popularity_percentile@{cutoff.K}", cutoff.PopularityPercentile);
            Add(json, $"popularity_lift@{cutoff.K}", cutoff.PopularityLift);
        }

        EvaluationTimings timings = result.Timings;
        json["heldout_ratings"] = result.Accuracy.Ratings;
        json["users_ranked"] = result.Ranking.UsersRanked;
        json["users_with_relevant"] = result.Ranking.UsersWithRelevant;
        json["users_without_relevant"] = result.Ranking.UsersWithoutRelevant;
        json["predictions_per_second"] = Number(timings.PredictionsPerSecond);
        json["users_per_second"] = Number(timings.UsersPerSecond);
        json["prediction_seconds"] = Number(timings.PredictionSeconds);
        json["ranking_seconds"] = Number(timings.RankingSeconds);
        json["seconds"] = Number(timings.TotalSeconds);
        var buckets = new JsonArray();
        foreach (ActivityBucket bucket in result.Accuracy.ByActivity)
        {
            buckets.Add(new JsonObject
            {
                ["bucket"] = bucket.Label,
                ["min_training_ratings"] = bucket.MinTrainingRatings,
                ["max_training_ratings"] = bucket.MaxTrainingRatings == int.MaxValue ? null : bucket.MaxTrainingRatings,
                ["users"] = bucket.Users,
                ["ratings"] = bucket.Ratings,
                ["rmse"] = Number(bucket.Rmse),
            });
        }

        json["rmse_by_activity"] = buckets;
        return json;
    }

    /// <summary>The object on one line.</summary>
    public static string ToJson(EvaluationResult result) => ToJsonObject(result).ToJsonString(Compact);

    private static void Add(JsonObject json, string name, double value)
    {
        if (!json.ContainsKey(name))
        {
            json[name] = Number(value);
        }
    }

    // JSON has no NaN or infinity: an undefined metric is null.
    private static JsonNode? Number(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;
}
