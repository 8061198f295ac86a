using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Tests.Graph;

[Collection(TorchCollection.Name)]
public sealed class NeighborSamplerTests
{
    [Fact]
    public void Expand_FanoutAtLeastDegree_TakesEveryNeighborWithExactMeanWeights()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);

        // m1 (node 4) has u0 (3★), u1 (4★), u2 (1★); fanout 4 keeps all three.
        SampledBlock block = sampler.Expand([4L], fanout: 4, new Random(1));

        Assert.Equal([4L, 0L, 1L, 2L], block.Sources);
        Assert.Equal([0f, 1f / 3, 1f / 3, 1f / 3], block.Mean.ToDense());
        Assert.Equal([0f, 0f, 1f / 3, -2f / 3], block.CenteredStars.ToDense());
    }

    [Fact]
    public void Expand_FanoutBelowDegree_SamplesOnlyTrueNeighborsAndReusesKnownNodes()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);

        SampledBlock block = sampler.Expand([4L, 0L], fanout: 2, new Random(5));

        // Destinations keep their places; m1's samples are users, u0's are its two movies, and m1 itself is not repeated.
        Assert.Equal([4L, 0L], block.Sources[..2]);
        Assert.Equal(block.Sources.Length, block.Sources.Distinct().Count());
        float[] mean = block.Mean.ToDense();
        int width = block.Sources.Length;
        Assert.Equal(1f, mean[..width].Sum(), 1e-5);
        Assert.Equal(1f, mean[width..].Sum(), 1e-5);
        for (int c = 0; c < width; c++)
        {
            Assert.True(mean[c] == 0 || block.Sources[c] is 0 or 1 or 2, $"m1 sampled node {block.Sources[c]}");
            Assert.True(mean[width + c] == 0 || block.Sources[c] is 3 or 4, $"u0 sampled node {block.Sources[c]}");
        }

        Assert.Equal(0.5f, mean[width + 0]);
    }

    [Fact]
    public void Distinct_RepeatedNodes_MapsEachOccurrenceToItsFirstPosition()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);
        var positions = new long[5];

        long[] distinct = sampler.Distinct([5L, 1L, 5L, 3L, 1L], positions);

        Assert.Equal([5L, 1L, 3L], distinct);
        Assert.Equal([0L, 1L, 0L, 2L, 1L], positions);
    }

    [Fact]
    public void Expand_RepeatedDestination_IsRejectedAndLeavesTheSamplerUsable()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);

        Assert.Throws<ArgumentException>(() => sampler.Expand([4L, 4L], fanout: 2, new Random(1)));
        Assert.Equal([4L, 0L, 1L, 2L], sampler.Expand([4L], fanout: 3, new Random(1)).Sources);
    }
}
