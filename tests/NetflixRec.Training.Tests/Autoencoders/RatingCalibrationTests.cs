using NetflixRec.Training.Models.Autoencoders;

namespace NetflixRec.Training.Tests.Autoencoders;

[Collection(TorchCollection.Name)]
public sealed class RatingCalibrationTests
{
    [Fact]
    public void Fit_ExactLine_RecoversInterceptAndSlope()
    {
        float[] scores = [-3f, -2f, -1f, 0.5f];
        float[] ratings = [.. scores.Select(s => 4f + (0.5f * s))];

        RatingCalibration fit = RatingCalibration.Fit(scores, ratings);

        Assert.Equal(4f, fit.Intercept, 1e-5);
        Assert.Equal(0.5f, fit.Slope, 1e-5);
    }

    [Fact]
    public void Fit_ConstantScores_PredictsTheMeanRating()
    {
        RatingCalibration fit = RatingCalibration.Fit([1f, 1f, 1f], [2f, 3f, 5f]);

        Assert.Equal(0f, fit.Slope);
        Assert.Equal(10f / 3f, fit.Apply(1f), 1e-5);
    }
}
