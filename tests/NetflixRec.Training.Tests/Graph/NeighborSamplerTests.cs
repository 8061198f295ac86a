using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Tests.Graph;

[Collection(TorchCollection.Name)]
public sealed class NeighborSamplerTests
{
    [Fact]
    public void Expand_FanoutAtLeastDegree_TakesEveryNeighborWithExactMeanWeights()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);

        // m1 (node 4) has u0 (3★), u1 (4★), u2 (1★); fanout 4 keeps all three and pads one.
        SampledHop hop = sampler.Expand([4L], fanout: 4, new Random(1));

        Assert.Equal([4L, 0L, 1L, 2L, 4L], hop.Nodes);
        Assert.Equal([1f / 3, 1f / 3, 1f / 3, 0f], hop.Weights);
        Assert.Equal([0f, 1f / 3, -2f / 3, 0f], hop.CenteredStars);
    }

    [Fact]
    public void Expand_FanoutBelowDegree_SamplesOnlyTrueNeighbors()
    {
        var sampler = new NeighborSampler(GraphFixtures.ThreeByThreeGraph, meanRating: 3f);

        SampledHop hop = sampler.Expand([4L, 0L], fanout: 2, new Random(5));

        Assert.Equal(2 + 4, hop.Nodes.Length);
        Assert.Equal([4L, 0L], hop.Nodes[..2]);
        Assert.All(hop.Nodes[2..4], n => Assert.Contains(n, new long[] { 0, 1, 2 }));
        Assert.All(hop.Nodes[4..6], n => Assert.Contains(n, new long[] { 3, 4 }));
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], hop.Weights);
    }
}
