using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class GeneratorOptionsTests
{
    [Theory]
    [InlineData(GeneratorScale.Tiny, 400, 150, 10_000)]
    [InlineData(GeneratorScale.Small, 50_000, 3_000, 1_500_000)]
    [InlineData(GeneratorScale.Medium, 200_000, 8_000, 10_000_000)]
    [InlineData(GeneratorScale.Full, 480_189, 17_770, 100_480_507)]
    [InlineData(GeneratorScale.Dense, 1_000, 1_700, 94_000)]
    public void ForScale_EachScale_HasTheDocumentedShape(GeneratorScale scale, int users, int movies, long ratings)
    {
        GeneratorOptions options = GeneratorOptions.ForScale(scale, seed: 3);

        Assert.Equal((scale, 3, users, movies, ratings), (options.Scale, options.Seed, options.Users, options.Movies, options.TargetRatings));
        options.Validate();
    }

    [Theory]
    [InlineData(GeneratorScale.Tiny)]
    [InlineData(GeneratorScale.Small)]
    [InlineData(GeneratorScale.Medium)]
    [InlineData(GeneratorScale.Full)]
    public void ForScale_PrizeScales_HoldOutEachUsersLatestLikeThePrize(GeneratorScale scale)
    {
        GeneratorOptions options = GeneratorOptions.ForScale(scale, seed: 3);

        Assert.Equal((HoldOutRule.LatestPerUser, 2.0, 1, StarDistribution.Prize), (options.HoldOutRule, options.QualifyingPerProbe, options.MinRatingsPerUser, options.Stars));
    }

    [Fact]
    public void ForScale_Dense_HoldsOutARandomFifthAsProbeOnly()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Dense, seed: 3);

        Assert.Equal((HoldOutRule.Random, 0.2, 0.0, 20, StarDistribution.MovieLens100K),
            (options.HoldOutRule, options.HeldOutShare, options.QualifyingPerProbe, options.MinRatingsPerUser, options.Stars));
    }

    [Fact]
    public void Validate_UnknownHoldOutRule_NamesTheField()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { HoldOutRule = (HoldOutRule)7 };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.HoldOutRule), error.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_QualifyingPerProbeOutOfRange_NamesTheField(double qualifyingPerProbe)
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { QualifyingPerProbe = qualifyingPerProbe };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.QualifyingPerProbe), error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(38)]
    public void Validate_MinRatingsPerUserOutOfRange_NamesTheField(int minimum)
    {
        // Tiny has 150 movies: the floor may be at most a quarter of them, 37.
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { MinRatingsPerUser = minimum };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.MinRatingsPerUser), error.ParamName);
    }

    [Fact]
    public void Validate_FloorAboveTheAverageUser_NamesMinRatingsPerUser()
    {
        // Tiny's 10,000 ratings over 400 users are 25 a user.
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { MinRatingsPerUser = 30 };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.MinRatingsPerUser), error.ParamName);
    }

    [Fact]
    public void Validate_TooManyUsers_NamesTheField()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { Users = 3_000_000 };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.Users), error.ParamName);
    }

    [Fact]
    public void Validate_DenserThanTheMatrixAllows_NamesTargetRatings()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 1) with { TargetRatings = 50_000 };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(GeneratorOptions.TargetRatings), error.ParamName);
    }
}
