using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class StarDistributionTests
{
    [Fact]
    public void Build_MovieLensStars_MeanNearMovieLensAndBelowThePrize()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 4) with { Users = 2_000, TargetRatings = 40_000 };

        double prize = MeanStars(SyntheticNetflix.Build(options));
        double movieLens = MeanStars(SyntheticNetflix.Build(options with { Stars = StarDistribution.MovieLens100K }));

        Assert.InRange(prize, 3.55, 3.65);
        Assert.InRange(movieLens, 3.48, 3.58);
        Assert.True(movieLens < prize, $"MovieLens mean {movieLens:F3}, Prize mean {prize:F3}");
    }

    private static double MeanStars(SyntheticDataset dataset) =>
        dataset.Training.SelectMany(block => block.Ratings.ToArray()).Average(star => (double)star);
}
