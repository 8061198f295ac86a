using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Reporting;

namespace NetflixRec.Training.Tests.Reporting;

public sealed class PairedBootstrapTests
{
    private static readonly RatingTable s_heldOut = new(new[] { 0, 0, 2, 5, 5, 5 }, new short[6], new byte[] { 4, 2, 5, 1, 3, 3 }, new short[6]);

    [Fact]
    public void UserErrors_HandBuiltTable_SumsPerUserAndSkipsUsersWithoutRatings()
    {
        UserErrors errors = UserErrors.Compute([3f, 3f, 5f, 2f, 3f, 4f], s_heldOut, users: 6);

        Assert.Equal([0, 2, 5], errors.Users.ToArray());
        Assert.Equal([2, 1, 3], errors.Counts.ToArray());
        Assert.Equal([2.0, 0.0, 2.0], errors.SquaredErrors.ToArray());
        Assert.Equal([2.0, 0.0, 2.0], errors.AbsoluteErrors.ToArray());
        Assert.Equal(Math.Sqrt(4.0 / 6), errors.Rmse, 1e-12);
        Assert.Equal(4.0 / 6, errors.Mae, 1e-12);
    }

    [Fact]
    public void Compare_SameErrors_GivesZeroDifferenceAndInterval()
    {
        UserErrors errors = UserErrors.Compute([3f, 3f, 5f, 2f, 3f, 4f], s_heldOut, 6);

        RmseDifference difference = PairedBootstrap.Compare("a", errors, "b", errors, 100, 0.95, seed: 1);

        Assert.Equal(0, difference.Difference);
        Assert.Equal(0, difference.Low);
        Assert.Equal(0, difference.High);
        Assert.False(difference.Significant);
    }

    [Fact]
    public void Compare_ModelWorseForEveryUser_IntervalExcludesZeroAndContainsTheDifference()
    {
        var random = new Random(3);
        int n = 2_000;
        int[] users = [.. Enumerable.Range(0, n)];
        byte[] stars = [.. users.Select(_ => (byte)random.Next(1, 6))];
        var table = new RatingTable(users, new short[n], stars, new short[n]);
        float[] good = [.. stars.Select(r => r + ((float)random.NextDouble() - 0.5f))];
        float[] bad = [.. good.Select((p, i) => p + (stars[i] >= p ? -0.3f : 0.3f))];

        RmseDifference difference = PairedBootstrap.Compare("bad", UserErrors.Compute(bad, table, n), "good", UserErrors.Compute(good, table, n), 500, 0.95, 7);

        Assert.True(difference.Significant);
        Assert.True(difference.Low > 0);
        Assert.InRange(difference.Difference, difference.Low, difference.High);
    }

    [Fact]
    public void Compare_DifferentHeldOutRatings_Throws()
    {
        UserErrors a = UserErrors.Compute([3f, 3f, 5f, 2f, 3f, 4f], s_heldOut, 6);
        UserErrors b = UserErrors.Compute([3f], new RatingTable(new[] { 1 }, new short[1], new byte[] { 3 }, new short[1]), 6);

        Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare("a", a, "b", b, 100, 0.95, 1));
    }
}
