using NetflixRec.Contracts;

namespace NetflixRec.Serving.Tests;

public sealed class TopKTests
{
    [Fact]
    public void Select_RandomScores_MatchesFullSortBestFirst()
    {
        var random = new Random(3);
        float[] scores = [.. Enumerable.Range(0, 5000).Select(_ => (float)random.NextDouble())];
        var top = new int[37];

        int count = TopK.Select(scores, top);

        int[] expected = [.. Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(37)];
        Assert.Equal(37, count);
        Assert.Equal(expected, top);
    }

    [Fact]
    public void Select_NaNMarksExcluded_SkipsThemAndReturnsFewerWhenShort()
    {
        float[] scores = [1f, float.NaN, 3f, float.NaN, 2f];
        var top = new int[5];

        int count = TopK.Select(scores, top);

        Assert.Equal(3, count);
        Assert.Equal([2, 4, 0], top[..count]);
    }

    [Fact]
    public void Select_TiedScores_LowerIndexFirst()
    {
        float[] scores = [5f, 7f, 7f, 5f, 7f];
        var top = new int[4];

        TopK.Select(scores, top);

        Assert.Equal([1, 2, 4, 0], top);
    }

    [Fact]
    public void Select_NegativeInfinity_IsExcludedAsInEvaluation()
    {
        float[] scores = [float.NegativeInfinity, 2f, float.NegativeInfinity];
        var top = new int[3];

        int count = TopK.Select(scores, top);

        Assert.Equal([1], top[..count]);
    }
}
