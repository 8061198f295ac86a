using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Models;

public sealed class ValidationShareTests
{
    [Theory]
    [InlineData(0.02, 99_072_112, 0.02)]   // the Prize: the fraction rules
    [InlineData(0.02, 1_500_000, 0.02)]    // small: 30,000 ratings already
    [InlineData(0.02, 80_000, 0.1)]        // a 100k dense set: floored to 8,000 (a tenth)
    [InlineData(0.02, 200_000, 0.05)]      // floored to 10,000
    [InlineData(0.2, 80_000, 0.2)]         // a larger fraction is kept
    [InlineData(0.0, 80_000, 0.0)]         // no validation stays none
    public void ValidationShare_FloorsSmallSlices(double fraction, int ratings, double expected)
    {
        Assert.Equal(expected, TrainingData.ValidationShare(fraction, ratings), 1e-12);
    }
}
