using System.Text.Json;
using System.Text.Json.Nodes;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class EvaluatorTests
{
    private static readonly RatingTable Train = Tables.Of((0, 1, 4), (1, 0, 3), (1, 2, 5));

    private static readonly RatingTable HeldOut = Tables.Of((0, 0, 5), (0, 3, 4), (1, 4, 3));

    private static readonly FakeModel Model = new(2, 5,
    [
        4.5f, 9f, 1f, 4f, 2f,
        1f, 1f, 1f, 1f, 3f,
    ]);

    [Fact]
    public void Evaluate_SmallCase_CombinesAccuracyRankingAndTimings()
    {
        EvaluationResult result = Evaluator.Evaluate(Model, Train, HeldOut, new[] { 4.5f, 4f, 3f }, EvaluationOptions.Default with { Threads = 2 });

        // Predictions 4.5, 4, 3 against 5, 4, 3.
        Assert.Equal("fake", result.Model);
        Assert.Equal(Math.Sqrt(0.25 / 3), result.Rmse, 1e-12);
        Assert.Equal(0.5 / 3, result.Mae, 1e-12);
        Assert.Equal(Math.Sqrt(0.25 / 3), result.OracleRmse!.Value, 1e-12);
        Assert.Equal(0.0, result.Accuracy.RmseVsOracle!.Value, 1e-12);

        // User 0's list starts 0, 3: both relevant movies on top.
        Assert.Equal(1.0, result.AtPrimaryCutoff.Recall, 1e-12);
        Assert.Equal(1.0, result.AtPrimaryCutoff.Ndcg, 1e-12);
        Assert.Equal(1, result.Ranking.UsersWithoutRelevant);
        Assert.Equal(3, result.Timings.Predictions);
        Assert.Equal(2, result.Timings.UsersRanked);
        Assert.True(result.Timings.TotalSeconds >= result.Timings.RankingSeconds);
    }

    [Fact]
    public void Evaluate_ModelOfOtherShape_Throws()
    {
        EvaluationData data = EvaluationData.Prepare(Train, HeldOut, ReadOnlyMemory<float>.Empty, 2, 5);
        var model = new FakeModel(2, 4, new float[8]);

        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(model, data, EvaluationOptions.Default));
    }

    [Fact]
    public void ToJson_DesignFieldsFirstInOrder_OracleNullWithoutOracle()
    {
        EvaluationResult result = Evaluator.Evaluate(Model, Train, HeldOut, ReadOnlyMemory<float>.Empty, EvaluationOptions.Default);

        string json = EvaluationJson.ToJson(result);
        JsonObject parsed = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(["model", "family", "rmse", "mae", "recall@20", "ndcg@20", "coverage@20", "oracle_rmse"], parsed.Select(p => p.Key).Take(8));
        Assert.Equal("fake", (string?)parsed["model"]);
        Assert.Equal("baseline", (string?)parsed["family"]);
        Assert.Null(parsed["oracle_rmse"]);
        Assert.True(parsed.ContainsKey("oracle_rmse"));
        Assert.Equal(result.Rmse, (double)parsed["rmse"]!, 1e-15);
        foreach (string field in new[] { "recall@10", "ndcg@10", "map@20", "popularity_percentile@20", "popularity_lift@20", "users_ranked", "users_per_second", "predictions_per_second", "seconds" })
        {
            Assert.True(parsed.ContainsKey(field), field);
        }

        JsonArray buckets = parsed["rmse_by_activity"]!.AsArray();
        Assert.Equal(5, buckets.Count);
        Assert.Null(buckets[0]!["rmse"]);
        Assert.Contains("\"201+\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json).RootElement.ValueKind);
    }
}
