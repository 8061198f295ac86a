using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Tests.Netflix;

public sealed class RepeatedCustomersTests
{
    [Fact]
    public void Find_AllDistinct_ReturnsNullAndLeavesNothingForTheNextBlock()
    {
        var repeats = new RepeatedCustomers();

        Assert.Null(repeats.Find([5, 9, 2_649_429, 1]));
        Assert.Null(repeats.Find([5, 9, 2_649_429, 1]));
    }

    [Fact]
    public void Find_RepeatAfterARepeatedBlock_StartsClean()
    {
        var repeats = new RepeatedCustomers();

        Assert.Equal((1, 3), repeats.Find([4, 8, 15, 8, 16, 23]));
        Assert.Equal((0, 2), repeats.Find([16, 23, 16]));
        Assert.Null(repeats.Find([4, 8, 15, 42]));
    }

    [Theory]
    [InlineData(10_000_000)]
    [InlineData(int.MaxValue)]
    public void Find_IdsBeyondThePrizeRange_StillFound(int large)
    {
        var repeats = new RepeatedCustomers();

        Assert.Equal((1, 4), repeats.Find([3, large, 7, large - 1, large]));
        Assert.Null(repeats.Find([3, large, 7]));
    }
}
