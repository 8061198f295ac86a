using NetflixRec.Contracts;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class TopKTests
{
    [Fact]
    public void Select_TiedScores_LowerIndexFirst()
    {
        float[] scores = [1f, 3f, 2f, 3f, 3f, 0f, 2f];

        Assert.Equal([1, 3, 4, 2], TopK.Select(scores, 4));
    }

    [Fact]
    public void Select_NegativeInfinityAndNaN_AreNeverSelected()
    {
        float[] scores = [float.NegativeInfinity, float.NaN, -5f, float.PositiveInfinity, float.NegativeInfinity];

        Assert.Equal([3, 2], TopK.Select(scores, 4));
    }

    [Fact]
    public void Select_AllEqualAcrossVectorBlocks_ReturnsTheFirstIndices()
    {
        var scores = new float[100];

        Assert.Equal(Enumerable.Range(0, 20), TopK.Select(scores, 20));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(8000, 20)]
    [InlineData(17_770, 100)]
    public void Select_RandomRowsWithManyTies_MatchesAFullStableSort(int length, int k)
    {
        var random = new Random(length);
        float[] scores = Enumerable.Range(0, length).Select(_ => (float)random.Next(50)).ToArray();
        scores[random.Next(length)] = float.NegativeInfinity;

        int[] expected = Enumerable.Range(0, length)
            .Where(i => scores[i] > float.NegativeInfinity)
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(k).ToArray();

        Assert.Equal(expected, TopK.Select(scores, k));
    }

    public static TheoryData<bool, int, int> PathsAndRows()
    {
        var data = new TheoryData<bool, int, int>();
        foreach (bool vectorized in new[] { false, true })
        {
            foreach ((int length, int k) in new[] { (1, 1), (31, 5), (33, 5), (8000, 20), (17_770, 100) })
            {
                data.Add(vectorized, length, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndRows))]
    public void SelectInto_EachPath_MatchesAFullStableSort(bool vectorized, int length, int k)
    {
        var random = new Random(length + k);
        float[] scores = Enumerable.Range(0, length).Select(_ => (float)random.Next(50)).ToArray();
        scores[random.Next(length)] = float.NegativeInfinity;
        scores[random.Next(length)] = float.NaN;
        int[] expected = Enumerable.Range(0, length)
            .Where(i => scores[i] > float.NegativeInfinity)
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(k).ToArray();
        var indices = new int[k];
        var values = new float[k];

        int count = TopK.SelectInto(scores, indices, values, vectorized);

        Assert.Equal(expected, indices[..count]);
        Assert.Equal(expected.Select(i => scores[i]), values[..count]);
    }
}
