using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class GeneratorOptionsTests
{
    [Theory]
    [InlineData(GeneratorScale.Tiny, 400, 150, 10_000)]
    [InlineData(GeneratorScale.Small, 50_000, 3_000, 1_500_000)]
    [InlineData(GeneratorScale.Medium, 200_000, 8_000, 10_000_000)]
    [InlineData(GeneratorScale.Full, 480_189, 17_770, 100_480_507)]
    public void ForScale_EachScale_HasTheDocumentedShape(GeneratorScale scale, int users, int movies, long ratings)
    {
        GeneratorOptions options = GeneratorOptions.ForScale(scale, seed: 3);

        Assert.Equal((scale, 3, users, movies, ratings), (options.Scale, options.Seed, options.Users, options.Movies, options.TargetRatings));
        options.Validate();
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
