using NetflixRec.Contracts;

namespace NetflixRec.Serving.Tests;

/// <summary>The one exclusion rule (<see cref="TopK.Exclude"/>) that the server's recommendations, the load generator's
/// floors and evaluation's rankings all use.</summary>
public sealed class TopKExclusionTests
{
    [Fact]
    public void SelectExcluding_BestMoviesExcluded_SameAsSelectingWithoutThem()
    {
        var random = new Random(5);
        float[] scores = [.. Enumerable.Range(0, 3000).Select(_ => (float)random.NextDouble())];
        short[] exclude = [.. Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(7).Select(i => (short)i), 0, 2999];
        int[] expected = [.. Enumerable.Range(0, scores.Length).Where(i => !exclude.Contains((short)i))
            .OrderByDescending(i => scores[i]).ThenBy(i => i).Take(20)];
        var top = new int[20];

        int count = TopK.SelectExcluding(scores, exclude, top);

        Assert.Equal(20, count);
        Assert.Equal(expected, top);
    }

    [Fact]
    public void SelectExcluding_EverythingExcluded_SelectsNothing()
    {
        float[] scores = [3f, 1f, 2f];
        var top = new int[2];

        int count = TopK.SelectExcluding(scores, [0, 1, 2], top);

        Assert.Equal(0, count);
    }

    [Fact]
    public void Exclude_NothingToExclude_LeavesTheRow()
    {
        float[] scores = [3f, 1f, 2f];

        TopK.Exclude(scores, []);

        Assert.Equal([3f, 1f, 2f], scores);
    }
}
