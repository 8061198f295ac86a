using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using Xunit;

namespace NetflixRec.Training.Tests.Models;

public sealed class UserHistoryTests
{
    [Fact]
    public void WriteRead_RoundTrip_GivesTheSameIndexIncludingEmptyUsers()
    {
        // Users 0 and 3 rate nothing; user 2 has ratings out of movie order in the table.
        var table = new RatingTable(new[] { 1, 2, 2, 4, 1 }, new short[] { 5, 9, 3, 0, 2 }, new byte[] { 4, 1, 5, 3, 2 }, new short[5]);
        RatingIndex index = RatingIndex.ByUser(table, users: 5);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, UserHistory.FileName);

        UserHistory.Write(path, index);
        RatingIndex back = UserHistory.Read(path);

        Assert.Equal(index.Offsets.ToArray(), back.Offsets.ToArray());
        Assert.Equal(index.Columns.ToArray(), back.Columns.ToArray());
        Assert.Equal(index.Ratings.ToArray(), back.Ratings.ToArray());
        Assert.Equal([3, 9], back.ColumnsOf(2).ToArray());
    }

    [Fact]
    public void Read_NotAnArrowFile_IsRejectedNamingTheFile()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "history.arrow");
        File.WriteAllBytes(path, [1, 2, 3]);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => UserHistory.Read(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new short[] { 1, 7 }, new byte[] { 3, 4 }, 5, "row 1: movie 7 of user 0 out of order or outside 0..4")]
    [InlineData(new short[] { -2, 1 }, new byte[] { 3, 4 }, 5, "row 0: movie -2 of user 0")]
    [InlineData(new short[] { 3, 3 }, new byte[] { 3, 4 }, 5, "row 1: movie 3 of user 0 out of order")]
    [InlineData(new short[] { 1, 2 }, new byte[] { 3, 9 }, 5, "row 1: rating 9 outside 1–5")]
    [InlineData(new short[] { 1, 2 }, new byte[] { 0, 4 }, 5, "row 0: rating 0 outside 1–5")]
    public void Read_RowOutOfRange_IsRejectedNamingFileAndRow(short[] movies, byte[] stars, int movieCount, string problem)
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, UserHistory.FileName);
        UserHistory.Write(path, new RatingIndex(new long[] { 0, movies.Length }, movies.Select(m => (int)m).ToArray(), stars.Select(s => (float)s).ToArray()));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => UserHistory.Read(path, movieCount));

        Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContractRead_OtherUserCountThanExpected_IsRejectedNamingFileAndCounts()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, UserHistory.FileName);
        UserHistory.Write(path, new RatingIndex(new long[] { 0, 1, 1 }, new[] { 2 }, new[] { 4f }));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() =>
            UserHistoryFile.Read(path, movies: 5, new Apache.Arrow.Compression.CompressionCodecFactory(), expectedUsers: 3));

        Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(2) is not the manifest's 3", error.Message, StringComparison.Ordinal);
    }
}
