using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Tests.Transforms;

public sealed class RatingStatisticsTests
{
    [Fact]
    public void Compute_HandBuiltTable_CountsAndMeansPerUserAndMovie()
    {
        // user 0 rates movies 0 and 1 (5, 3); user 2 rates movie 1 (4); user 1 and movie 2 have no ratings.
        var table = new RatingTable(new[] { 0, 0, 2 }, new short[] { 0, 1, 1 }, new byte[] { 5, 3, 4 }, new short[3]);

        RatingStatistics stats = RatingStatistics.Compute(table, userCount: 3, movieCount: 3);

        Assert.Equal(4.0, stats.GlobalMean, 1e-12);
        Assert.Equal([2, 0, 1], stats.UserCounts.ToArray());
        Assert.Equal([4f, 0f, 4f], stats.UserMeans.ToArray());
        Assert.Equal([1, 2, 0], stats.MovieCounts.ToArray());
        Assert.Equal([5f, 3.5f, 0f], stats.MovieMeans.ToArray());
    }

    [Fact]
    public void MeanOf_EmptyTable_IsZero()
    {
        Assert.Equal(0.0, RatingStatistics.MeanOf(RatingTable.Empty));
    }
}
