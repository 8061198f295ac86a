using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class UserItemIndexTests
{
    [Fact]
    public void Build_UnorderedTable_GroupsByUserWithMoviesAscendingAndStarsAligned()
    {
        var table = Tables.Of((2, 5, 1), (0, 3, 4), (2, 1, 5), (0, 0, 2), (2, 3, 3));

        UserItemIndex index = UserItemIndex.Build(table, 4, 6);

        Assert.Equal([0, 2, 2, 5, 5], index.Offsets.ToArray());
        Assert.Equal([(short)0, (short)3], index.ItemsOf(0).ToArray());
        Assert.Equal([(byte)2, (byte)4], index.RatingsOf(0).ToArray());
        Assert.Equal([(short)1, (short)3, (short)5], index.ItemsOf(2).ToArray());
        Assert.Equal([(byte)5, (byte)3, (byte)1], index.RatingsOf(2).ToArray());
        Assert.Equal(0, index.CountOf(1));
        Assert.Equal(0, index.CountOf(3));
        Assert.True(index.Contains(2, 3));
        Assert.False(index.Contains(2, 4));
        Assert.Equal([0, 2], index.ActiveUsers());
    }

    [Fact]
    public void Build_RowOutOfRange_ThrowsNamingTheRow()
    {
        var table = Tables.Of((0, 1, 3), (5, 1, 3));

        ArgumentException error = Assert.Throws<ArgumentException>(() => UserItemIndex.Build(table, 2, 3));

        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
    }
}
