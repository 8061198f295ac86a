using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class ActivityBucketsTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1-10")]
    [InlineData(10, "1-10")]
    [InlineData(11, "11-50")]
    [InlineData(50, "11-50")]
    [InlineData(51, "51-200")]
    [InlineData(200, "51-200")]
    [InlineData(201, "201+")]
    [InlineData(100_000, "201+")]
    public void BucketOf_TrainingCount_FallsInItsInclusiveRange(int count, string label)
    {
        Assert.Equal(label, ActivityBuckets.Bounds[ActivityBuckets.BucketOf(count)].Label);
    }

    [Fact]
    public void Compute_UsersAtBucketEdges_CountsAndRmsePerBucket()
    {
        // Users 1..4 have 10, 11, 200 and 201 training ratings; user 0 has none.
        int[] trainingCounts = [0, 10, 11, 200, 201];
        var rows = new List<(int, int, int)>();
        for (int u = 0; u < trainingCounts.Length; u++)
        {
            for (int m = 0; m < trainingCounts[u]; m++)
            {
                rows.Add((u, m, 3));
            }
        }

        UserItemIndex train = UserItemIndex.Build(Tables.Of([.. rows]), 5, 300);

        // Held-out: user 1 twice (errors 1 and 3), user 2 once (error 2), user 4 once (error 0); users 0 and 3 none.
        var heldOut = Tables.Of((1, 250, 4), (2, 250, 1), (1, 251, 2), (4, 299, 5));
        float[] predictions = [3f, 3f, 5f, 5f];

        IReadOnlyList<ActivityBucket> buckets = ActivityBuckets.Compute(predictions, heldOut, train);

        Assert.Equal(["0", "1-10", "11-50", "51-200", "201+"], buckets.Select(b => b.Label));
        Assert.Equal([0, 1, 1, 0, 1], buckets.Select(b => b.Users));
        Assert.Equal([0, 2, 1, 0, 1], buckets.Select(b => b.Ratings));
        Assert.True(double.IsNaN(buckets[0].Rmse));
        Assert.Equal(Math.Sqrt((1 + 9) / 2.0), buckets[1].Rmse, 1e-12);
        Assert.Equal(2.0, buckets[2].Rmse, 1e-12);
        Assert.True(double.IsNaN(buckets[3].Rmse));
        Assert.Equal(0.0, buckets[4].Rmse, 1e-12);
    }
}
