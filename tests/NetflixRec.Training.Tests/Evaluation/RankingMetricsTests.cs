using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    private static readonly double Log3 = Math.Log2(3);

    [Fact]
    public void Metrics_HitsAtRanksTwoAndFive_MatchHandComputedValues()
    {
        bool[] hits = [false, true, false, false, true];

        // K = 2: one of min(2, 2) found; DCG = 1/log2(3), ideal = 1 + 1/log2(3); AP = (1/2) / 2.
        Assert.Equal(0.5, RankingMetrics.Recall(hits, 2, 2), 1e-12);
        Assert.Equal((1 / Log3) / (1 + (1 / Log3)), RankingMetrics.Ndcg(hits, 2, 2), 1e-12);
        Assert.Equal(0.25, RankingMetrics.AveragePrecision(hits, 2, 2), 1e-12);

        // K = 5: both found; DCG adds 1/log2(6); AP = (1/2 + 2/5) / 2.
        Assert.Equal(1.0, RankingMetrics.Recall(hits, 2, 5), 1e-12);
        Assert.Equal(((1 / Log3) + (1 / Math.Log2(6))) / (1 + (1 / Log3)), RankingMetrics.Ndcg(hits, 2, 5), 1e-12);
        Assert.Equal(0.45, RankingMetrics.AveragePrecision(hits, 2, 5), 1e-12);
    }

    [Fact]
    public void Recall_MoreRelevantThanK_DividesByK()
    {
        // 3 relevant, K = 2, both slots hit: 2 / min(2, 3) = 1 (dividing by |relevant| would give 2/3).
        Assert.Equal(1.0, RankingMetrics.Recall([true, true], 3, 2), 1e-12);
        Assert.Equal(1.0, RankingMetrics.Ndcg([true, true], 3, 2), 1e-12);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([true, true], 3, 2), 1e-12);
    }

    [Fact]
    public void Metrics_NoRelevantItems_AreUndefined()
    {
        Assert.True(double.IsNaN(RankingMetrics.Recall([false, false], 0, 2)));
        Assert.True(double.IsNaN(RankingMetrics.Ndcg([false, false], 0, 2)));
        Assert.True(double.IsNaN(RankingMetrics.AveragePrecision([false, false], 0, 2)));
    }

    [Fact]
    public void Metrics_ListShorterThanK_CountMissingSlotsAsMisses()
    {
        // One hit at rank 0 of a 1-long list, 2 relevant, K = 3.
        Assert.Equal(0.5, RankingMetrics.Recall([true], 2, 3), 1e-12);
        Assert.Equal(1 / (1 + (1 / Log3)), RankingMetrics.Ndcg([true], 2, 3), 1e-12);
        Assert.Equal(0.5, RankingMetrics.AveragePrecision([true], 2, 3), 1e-12);
    }
}
