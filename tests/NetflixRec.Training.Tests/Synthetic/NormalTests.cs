using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class NormalTests
{
    // Φ(x) = erfc(−x/√2)/2 from CPython's math.erfc.
    [Theory]
    [InlineData(-20.0, 2.7536241186063314e-89)]
    [InlineData(-8.0, 6.220960574271819e-16)]
    [InlineData(-5.9, 1.8175078630994357e-09)]
    [InlineData(-5.0, 2.866515718791946e-07)]
    [InlineData(-3.0, 0.0013498980316300957)]
    [InlineData(-1.5, 0.06680720126885809)]
    [InlineData(-0.6744897501960817, 0.25)]
    [InlineData(-0.5, 0.3085375387259869)]
    [InlineData(0.0, 0.5)]
    [InlineData(0.3, 0.6179114221889526)]
    [InlineData(0.7, 0.758036347776927)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(2.0, 0.9772498680518208)]
    [InlineData(4.0, 0.9999683287581669)]
    [InlineData(6.0, 0.9999999990134123)]
    public void Cdf_KnownPoints_MatchesReferenceToDoublePrecision(double x, double expected)
    {
        double actual = Normal.Cdf(x);

        Assert.True(Math.Abs(actual - expected) <= 1e-15 + (1e-13 * expected), $"Φ({x}) = {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Cdf_AcrossTheLine_IsMonotoneAndSymmetric()
    {
        double previous = 0;
        for (double x = -10; x <= 10; x += 0.001)
        {
            double p = Normal.Cdf(x);
            Assert.True(p >= previous, $"Φ decreases at {x}");
            Assert.True(Math.Abs(p + Normal.Cdf(-x) - 1) < 1e-15, $"Φ({x}) + Φ({-x}) ≠ 1");
            previous = p;
        }
    }
}
