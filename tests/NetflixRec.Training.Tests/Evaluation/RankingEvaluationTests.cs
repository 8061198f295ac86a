using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

/// <summary>
/// The hand case: 3 users × 6 movies.
/// User 0 rated movie 1 in training; held out: movie 0 (5★), 3 (4★), 5 (2★) → relevant {0, 3}. Its scores rank
/// 2, 3, 5, 4, 0 once the training movie 1 (scored highest) is excluded: hits at ranks 1 and 4.
/// User 1 rated movies 0 and 2 in training; held out: movie 4 (3★) → no relevant movie. All its scores tie, so its list
/// is 1, 3, 4, 5 (lower index first).
/// User 2 rated movies 0 and 5 in training and has nothing held out: not ranked.
/// Training counts per movie: 2, 1, 1, 0, 0, 1.
/// </summary>
public sealed class RankingEvaluationTests
{
    private const int Movies = 6;

    private static readonly double Log3 = Math.Log2(3);

    private static readonly RatingTable Train = Tables.Of((0, 1, 4), (1, 0, 3), (1, 2, 5), (2, 0, 4), (2, 5, 1));

    private static readonly RatingTable HeldOut = Tables.Of((0, 0, 5), (0, 3, 4), (0, 5, 2), (1, 4, 3));

    private static readonly FakeModel Model = new(3, Movies,
    [
        0.2f, 9f, 0.9f, 0.8f, 0.5f, 0.7f,
        1f, 1f, 1f, 1f, 1f, 1f,
        0f, 0f, 0f, 0f, 0f, 0f,
    ]);

    private static readonly EvaluationOptions Options = new([2, 5, 20], 4, 1, 256);

    [Fact]
    public void Evaluate_HandCase_RecallNdcgMapMatchHandComputedValues()
    {
        RankingSummary summary = Rank(Options);

        CutoffMetrics at2 = summary.At(2);
        Assert.Equal(0.5, at2.Recall, 1e-12);
        Assert.Equal((1 / Log3) / (1 + (1 / Log3)), at2.Ndcg, 1e-12);
        Assert.Equal(0.25, at2.Map, 1e-12);

        CutoffMetrics at5 = summary.At(5);
        Assert.Equal(1.0, at5.Recall, 1e-12);
        Assert.Equal(((1 / Log3) + (1 / Math.Log2(6))) / (1 + (1 / Log3)), at5.Ndcg, 1e-12);
        Assert.Equal(0.45, at5.Map, 1e-12);

        // Fewer than 20 candidates: the lists are the same as at 5, and K = 20 divides by min(20, 2).
        Assert.Equal(at5.Recall, summary.At(20).Recall, 1e-12);
        Assert.Equal(at5.Ndcg, summary.At(20).Ndcg, 1e-12);
        Assert.Equal(at5.Map, summary.At(20).Map, 1e-12);
    }

    [Fact]
    public void Evaluate_UserWithoutRelevantItems_IsExcludedFromAveragesAndReported()
    {
        RankingSummary summary = Rank(Options);

        // User 1's list has no hits; averaging it in would halve recall@5 to 0.5.
        Assert.Equal(2, summary.UsersRanked);
        Assert.Equal(1, summary.UsersWithoutRelevant);
        Assert.Equal(1, summary.UsersWithRelevant);
        Assert.Equal(1.0, summary.At(5).Recall, 1e-12);
    }

    [Fact]
    public void Evaluate_NoUserHasRelevantItems_MetricsAreNaNButCoverageCounts()
    {
        var heldOut = Tables.Of((1, 4, 3));
        EvaluationData data = EvaluationData.Prepare(Train, heldOut, ReadOnlyMemory<float>.Empty, 3, Movies);

        RankingSummary summary = RankingEvaluation.Evaluate(Model, data, Options);

        Assert.Equal(1, summary.UsersWithoutRelevant);
        Assert.True(double.IsNaN(summary.At(2).Recall));
        Assert.True(double.IsNaN(summary.At(2).Ndcg));
        Assert.True(double.IsNaN(summary.At(2).Map));
        Assert.Equal(2.0 / Movies, summary.At(2).Coverage, 1e-12);
    }

    [Fact]
    public void Evaluate_HandCase_CoverageCountsEveryRankedUsersList()
    {
        RankingSummary summary = Rank(Options);

        // Top-2 lists {2, 3} and {1, 3}; top-5 lists cover all six movies.
        Assert.Equal(3.0 / Movies, summary.At(2).Coverage, 1e-12);
        Assert.Equal(1.0, summary.At(5).Coverage, 1e-12);
    }

    [Fact]
    public void Evaluate_HandCase_PopularityOfTheLists()
    {
        RankingSummary summary = Rank(Options);

        // Counts 2, 1, 1, 0, 0, 1 → mid-rank percentiles 1, .6, .6, .1, .1, .6; catalog mean count 5/6.
        // Top-2 entries: movies 2, 3 and 1, 3 → percentiles (.6 + .1 + .6 + .1) / 4, counts (1 + 0 + 1 + 0) / 4.
        Assert.Equal(0.35, summary.At(2).PopularityPercentile, 1e-12);
        Assert.Equal(0.5 / (5.0 / 6), summary.At(2).PopularityLift, 1e-12);
    }

    [Fact]
    public void Evaluate_TrainingMoviesScoredHighest_AreNeverRecommended()
    {
        // User 0 scores its training movie 1 at 9, above everything; user 1 now rated movie 1 in training too, so no
        // list may show it.
        var train = Train.Concat(Tables.Of((1, 1, 2)));
        EvaluationData data = EvaluationData.Prepare(train, HeldOut, ReadOnlyMemory<float>.Empty, 3, Movies);

        RankingSummary summary = RankingEvaluation.Evaluate(Model, data, Options);

        // Lists: user 0 → 2, 3, 5, 4, 0; user 1 → 3, 4, 5. Movie 1 never appears: coverage@20 = 5/6.
        Assert.Equal(5.0 / Movies, summary.At(20).Coverage, 1e-12);
        Assert.Equal(0.5, summary.At(2).Recall, 1e-12);
    }

    [Fact]
    public void Evaluate_TiedScores_NdcgUsesLowerIndexFirst()
    {
        // One user, four movies, all scores equal, relevant movie 2: the list is 0, 1, 2, 3 and the hit sits at rank 2,
        // so NDCG@K = (1 / log2(4)) / 1 = 0.5 for K ≥ 3 and 0 for K = 2.
        var model = new FakeModel(1, 4, [7f, 7f, 7f, 7f]);
        EvaluationData data = EvaluationData.Prepare(RatingTable.Empty, Tables.Of((0, 2, 5)), ReadOnlyMemory<float>.Empty, 1, 4);

        RankingSummary summary = RankingEvaluation.Evaluate(model, data, new EvaluationOptions([2, 3, 20], 4, 1, 256));

        Assert.Equal(0.0, summary.At(2).Ndcg, 1e-12);
        Assert.Equal(0.5, summary.At(3).Ndcg, 1e-12);
        Assert.Equal(0.5, summary.At(20).Ndcg, 1e-12);
        Assert.Equal(1.0 / 3, summary.At(20).Map, 1e-12);
    }

    [Fact]
    public void Evaluate_ThreadsAndBatches_GiveTheSameResult()
    {
        var random = new Random(5);
        int users = 300, movies = 50;
        float[] scores = Enumerable.Range(0, users * movies).Select(_ => (float)random.Next(10)).ToArray();
        var train = Tables.Of([.. Enumerable.Range(0, 3000).Select(_ => (random.Next(users), random.Next(movies), random.Next(1, 6)))]);
        var heldOut = Tables.Of([.. Enumerable.Range(0, 600).Select(_ => (random.Next(users), random.Next(movies), random.Next(1, 6)))]);
        EvaluationData data = EvaluationData.Prepare(train, heldOut, ReadOnlyMemory<float>.Empty, users, movies);
        var model = new FakeModel(users, movies, scores);

        RankingSummary one = RankingEvaluation.Evaluate(model, data, new EvaluationOptions([10, 20], 4, 1, 7));
        RankingSummary two = RankingEvaluation.Evaluate(model, data, new EvaluationOptions([10, 20], 4, 2, 7));
        RankingSummary big = RankingEvaluation.Evaluate(model, data, new EvaluationOptions([10, 20], 4, 2, 256));

        Assert.Equal(one.Cutoffs, two.Cutoffs);
        Assert.Equal(one.UsersRanked, big.UsersRanked);
        Assert.Equal(one.At(20).Ndcg, big.At(20).Ndcg, 1e-12);
        Assert.Equal(one.At(10).Coverage, big.At(10).Coverage);
    }

    [Fact]
    public void Validate_CutoffsWithout20_Throws()
    {
        Assert.Throws<ArgumentException>(() => new EvaluationOptions([10], 4, 1, 256).Validate());
        Assert.Throws<ArgumentException>(() => new EvaluationOptions([20, 20], 4, 1, 256).Validate());
        Assert.Throws<ArgumentException>(() => (EvaluationOptions.Default with { Threads = 0 }).Validate());
    }

    private static RankingSummary Rank(EvaluationOptions options) =>
        RankingEvaluation.Evaluate(Model, EvaluationData.Prepare(Train, HeldOut, ReadOnlyMemory<float>.Empty, 3, Movies), options);
}
