using NetflixRec.Contracts;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Tests.Evaluation;

/// <summary>The blocked ScoreAll (used by ranking) agrees with the per-pair Predict within float rounding.</summary>
public sealed class FactorModelScoreAllTests
{
    [Theory]
    [InlineData(9, 37, 5)]
    [InlineData(11, 16, 64)]
    [InlineData(3, 1, 1)]
    [InlineData(6, 50, 0)]
    public void ScoreAll_AnyShape_MatchesPredict(int users, int movies, int factors)
    {
        var random = new Random((users * 31) + movies);
        FactorModel model = new("test", ModelFamily.MatrixFactorization, 3.6f,
            Values(random, users), Values(random, movies), factors, Values(random, users * factors), Values(random, movies * factors));
        int[] batch = [.. Enumerable.Range(0, users).Reverse(), 0];
        var scores = new float[batch.Length * movies];

        model.ScoreAll(batch, scores);

        for (int i = 0; i < batch.Length; i++)
        {
            for (int m = 0; m < movies; m++)
            {
                Assert.Equal(model.Predict(batch[i], m), scores[(i * movies) + m], 1e-5f);
            }
        }
    }

    public static TheoryData<string, int, int, int> WidthsAndShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (SimdWidth width in SimdWidths.All)
        {
            foreach ((int users, int movies, int factors) in new[] { (9, 37, 5), (11, 16, 64), (3, 1, 1) })
            {
                data.Add(width.ToString(), users, movies, factors);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndShapes))]
    public void ScoreAll_EachWidth_MatchesDoubleReference(string widthName, int users, int movies, int factors)
    {
        SimdWidth width = Enum.Parse<SimdWidth>(widthName);
        var random = new Random((users * 31) + movies);
        float[] userBias = Values(random, users), movieBias = Values(random, movies);
        float[] userFactors = Values(random, users * factors), movieFactors = Values(random, movies * factors);
        FactorModel model = new("test", ModelFamily.MatrixFactorization, 3.6f, userBias, movieBias, factors, userFactors, movieFactors);
        int[] batch = [.. Enumerable.Range(0, users).Reverse(), 0];
        var scores = new float[batch.Length * movies];

        model.ScoreAll(batch, scores, width);

        for (int i = 0; i < batch.Length; i++)
        {
            int u = batch[i];
            for (int m = 0; m < movies; m++)
            {
                double expected = 3.6 + userBias[u] + movieBias[m];
                for (int f = 0; f < factors; f++)
                {
                    expected += (double)userFactors[(u * factors) + f] * movieFactors[(m * factors) + f];
                }

                Assert.Equal(expected, scores[(i * movies) + m], 1e-5);
            }
        }
    }

    [Fact]
    public void ScoreAll_UserOutOfRange_Throws()
    {
        var random = new Random(1);
        FactorModel model = new("test", ModelFamily.MatrixFactorization, 3.6f, Values(random, 2), Values(random, 3), 4, Values(random, 8), Values(random, 12));

        Assert.Throws<ArgumentOutOfRangeException>(() => model.ScoreAll([0, 2], new float[6]));
    }

    private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
}
