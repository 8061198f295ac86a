using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class RaterSamplerTests
{
    private static readonly GeneratorOptions s_options =
        GeneratorOptions.ForScale(GeneratorScale.Tiny, 11) with { Users = 3_000, Movies = 300, TargetRatings = 60_000 };

    [Fact]
    public void Sample_WithTasteSelection_RatersLeanTowardWhatTheyLike()
    {
        // σ(1.5 z) weighting of z ~ N(0, 1) moves the mean affinity of chosen pairs to about +0.5 sd.
        double mean = MeanAffinityOfChosenPairs(s_options with { TasteSelection = 1.5 }, out long pairs);

        Assert.InRange(mean, 0.3, 0.8);
        Assert.InRange(pairs, 50_000, 70_000);
    }

    [Fact]
    public void Sample_WithoutTasteSelection_ChoiceIsIndependentOfTaste()
    {
        double mean = MeanAffinityOfChosenPairs(s_options with { TasteSelection = 0 }, out _);

        Assert.InRange(mean, -0.05, 0.05);
    }

    [Fact]
    public void Sample_MinRatingsPerUser_EveryUserReachesTheFloorWithDistinctMovies()
    {
        GeneratorOptions options = s_options with { MinRatingsPerUser = 10 };
        options.Validate();
        var population = Population.Create(options);
        var model = LatentModel.Create(options, population);
        int[][] raters = RaterSampler.Sample(options, population, model, RaterSampler.MovieCounts(options, population), parallelism: 2);

        int[] degrees = new int[options.Users];
        foreach (int[] movie in raters)
        {
            Assert.Equal(movie.Distinct().Order(), movie);
            foreach (int u in movie)
            {
                degrees[u]++;
            }
        }

        Assert.Equal(10, degrees.Min());
    }

    [Fact]
    public void Validate_NegativeTasteSelection_NamesTheField()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => (s_options with { TasteSelection = -1 }).Validate());

        Assert.Contains("TasteSelection", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Mean user–movie affinity, in standard deviations, over every sampled (rater, movie) pair.</summary>
    private static double MeanAffinityOfChosenPairs(GeneratorOptions options, out long pairs)
    {
        var population = Population.Create(options);
        var model = LatentModel.Create(options, population);
        int[] counts = RaterSampler.MovieCounts(options, population);
        int[][] raters = RaterSampler.Sample(options, population, model, counts, parallelism: 2);
        double sum = 0;
        pairs = 0;
        for (int movie = 0; movie < raters.Length; movie++)
        {
            foreach (int user in raters[movie])
            {
                sum += model.Affinity(user, movie) / LatentModel.AffinitySd;
                pairs++;
            }
        }

        return sum / pairs;
    }
}
