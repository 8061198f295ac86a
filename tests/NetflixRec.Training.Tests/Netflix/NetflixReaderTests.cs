using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Tests.Netflix;

public sealed class NetflixReaderTests
{
    [Fact]
    public void ReadDirectory_MovieFiles_KeepsEveryRatingExactly()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);

        NetflixSource source = NetflixReader.ReadDirectory(dir.Path, 2);

        Assert.Equal([1, 2], source.Movies.Select(m => m.MovieId));
        MovieRatings first = source.Movies[0];
        Assert.Equal([10, 20, 2649429], first.Customers.ToArray());
        Assert.Equal([3, 5, 4], first.Ratings.ToArray());
        Assert.Equal(
            [new DateOnly(2005, 9, 6), new DateOnly(2005, 5, 13), new DateOnly(1999, 11, 11)],
            first.Days.ToArray().Select(DayNumber.ToDate));
        Assert.Equal([10, 40], source.Movies[1].Customers.ToArray());
        Assert.Equal(new DateOnly(2005, 12, 31), DayNumber.ToDate(source.Movies[1].Days.Span[1]));
        Assert.Equal(5, source.RatingCount);
    }

    [Fact]
    public void ReadDirectory_CombinedDataLayout_ReadsEveryBlock()
    {
        using var dir = new TempDirectory();
        dir.Write("combined_data_1.txt", NetflixFixture.Movie1 + "2:\n10,1,2003-01-02\n40,2,2005-12-31\n");
        dir.Write("movie_titles.csv", NetflixFixture.Titles);

        NetflixSource source = NetflixReader.ReadDirectory(dir.Path, 2);

        Assert.True(source.Layout.IsCombined);
        Assert.Equal([1, 2], source.Movies.Select(m => m.MovieId));
        Assert.Equal(5, source.RatingCount);
        Assert.Empty(source.Probe);
    }

    [Fact]
    public void ReadTitles_Latin1CommasAndNullYear_SplitsOnFirstTwoCommas()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("movie_titles.txt", NetflixFixture.Titles.Replace("\n", "\r\n", StringComparison.Ordinal));

        IReadOnlyList<MovieTitle> titles = NetflixReader.ReadTitles(path);

        Assert.Equal(new MovieTitle(1, 2003, "Dinosaur Planet"), titles[0]);
        Assert.Equal(new MovieTitle(2, null, "Isle of Man TT, 2004 Review"), titles[1]);
        Assert.Equal(new MovieTitle(3, 1997, "Café, Crème, and Fräulein"), titles[2]);
    }

    [Fact]
    public void ReadProbeAndQualifying_Blocks_KeepCustomersAndDates()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);

        NetflixSource source = NetflixReader.ReadDirectory(dir.Path, 1);

        Assert.Equal([20], source.Probe[0].Customers.ToArray());
        Assert.Equal(2, source.Probe[1].MovieId);
        Assert.Equal(1, source.Qualifying[0].MovieId);
        Assert.Equal([40], source.Qualifying[0].Customers.ToArray());
        Assert.Equal(new DateOnly(2005, 12, 1), DayNumber.ToDate(source.Qualifying[0].Days.Span[0]));
    }

    [Theory]
    [InlineData("1:\n10,3,2005-09-06\n20,5\n", 3, "truncated line")]
    [InlineData("1:\n10,3,2005-09-06\n20,6,2005-05-13\n", 3, "rating '6' is outside 1–5")]
    [InlineData("1:\n10,0,2005-09-06\n", 2, "rating '0' is outside 1–5")]
    [InlineData("1:\n10,3,2005-02-30\n", 2, "date '2005-02-30' does not exist")]
    [InlineData("1:\n10,3,2005-13-01\n", 2, "date '2005-13-01' does not exist")]
    [InlineData("1:\n10,3,05-09-06\n", 2, "is not YYYY-MM-DD")]
    [InlineData("10,3,2005-09-06\n1:\n", 1, "rating before any 'MovieID:' header")]
    [InlineData("1:\nabc,3,2005-09-06\n", 2, "CustomerID 'abc' is not a positive integer")]
    [InlineData("1:\n0,3,2005-09-06\n", 2, "CustomerID 0 is outside")]
    [InlineData("1:\n99999999999,3,2005-09-06\n", 2, "is outside 1–2147483647")]
    [InlineData("x:\n10,3,2005-09-06\n", 1, "bad movie header")]
    [InlineData("1:\n10,3,2005-09-06\n20,5,2005-0", 3, "is not YYYY-MM-DD")]
    [InlineData("1:\n", 1, "has no ratings after its header (truncated file?)")]
    [InlineData("", 1, "no 'MovieID:' header")]
    public void ReadTrainingFile_BadLine_ReportsFileAndLine(string content, int line, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("training_set/mv_0000001.txt", content);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadTrainingFile(path));

        Assert.Equal(path, error.Path);
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:{line}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1:\n7,3,2005-01-01\n7,4,2005-01-02\n", 3, "customer 7 rates movie 1 a second time (first on line 2)")]
    [InlineData("1:\n7,3,2005-01-01\n\n8,1,2005-01-01\n7,4,2005-01-02", 5, "customer 7 rates movie 1 a second time (first on line 2)")]
    [InlineData("1:\n7,3,2005-01-01\n2:\n5,1,2005-01-01\n6,1,2005-01-01\n5,2,2005-01-03\n", 6, "customer 5 rates movie 2 a second time (first on line 4)")]
    [InlineData("1:\n2147483647,3,2005-01-01\n2147483647,3,2005-01-01\n", 3, "customer 2147483647 rates movie 1 a second time")]
    public void ReadTrainingFile_RepeatedCustomerInBlock_ReportsSecondOccurrence(string content, int line, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("training_set/mv_0000001.txt", content);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadTrainingFile(path));

        Assert.Equal(line, error.Line);
        Assert.StartsWith($"{path}:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadTrainingFile_SameCustomerInDifferentMovies_IsKept()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("combined_data_1.txt", "1:\n7,3,2005-01-01\n2:\n7,4,2005-01-02\n3:\n7,5,2005-01-03\n");

        IReadOnlyList<MovieRatings> blocks = NetflixReader.ReadTrainingFile(path);

        Assert.Equal(3, blocks.Count);
        Assert.All(blocks, b => Assert.Equal([7], b.Customers.ToArray()));
    }

    [Fact]
    public void ReadTrainingFile_LastLineWithoutNewline_IsKept()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("mv_0000007.txt", "7:\n10,3,2005-09-06\n11,4,2005-09-07");

        MovieRatings block = Assert.Single(NetflixReader.ReadTrainingFile(path));

        Assert.Equal([10, 11], block.Customers.ToArray());
    }

    [Theory]
    [InlineData("1,2003\n", 1, "expected 'MovieID,YearOfRelease,Title'")]
    [InlineData("1,2003,A\n1,2004,B\n", 2, "MovieID 1 appears twice")]
    [InlineData("1,20x3,A\n", 1, "YearOfRelease '20x3'")]
    public void ReadTitles_BadLine_ReportsFileAndLine(string content, int line, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("movie_titles.txt", content);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadTitles(path));

        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20\n1:\n", 1, "customer line before any 'MovieID:' header")]
    [InlineData("1:\n20,2005-01-01\n", 2, "CustomerID '20,2005-01-01' is not a positive integer")]
    [InlineData("1:\n20\n1:\n30\n", 3, "movie 1 has a second block")]
    public void ReadProbe_BadLine_ReportsFileAndLine(string content, int line, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("probe.txt", content);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadProbe(path));

        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadQualifying_ImpossibleDate_ReportsLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("qualifying.txt", "1:\n40,2005-12-01\n41,2005-04-31\n");

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadQualifying(path));

        Assert.Equal(3, error.Line);
        Assert.Contains("date '2005-04-31' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDirectory_MissingDirectory_NamesIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "netflixrec-missing-" + Guid.NewGuid().ToString("N"));

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadDirectory(missing, 1));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDirectory_NoTitles_SaysWhichFileIsMissing()
    {
        using var dir = new TempDirectory();
        dir.Write("training_set/mv_0000001.txt", NetflixFixture.Movie1);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadDirectory(dir.Path, 1));

        Assert.Contains("movie_titles.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDirectory_SameMovieInTwoFiles_NamesBothFiles()
    {
        using var dir = new TempDirectory();
        dir.Write("combined_data_1.txt", NetflixFixture.Movie1);
        dir.Write("combined_data_2.txt", NetflixFixture.Movie1);
        dir.Write("movie_titles.txt", NetflixFixture.Titles);

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadDirectory(dir.Path, 2));

        Assert.Contains("combined_data_1.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("combined_data_2.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDirectory_BadLineInOneOfManyFiles_ReportsThatFile()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, movie2: "2:\n10,1,2003-01-02\n40,9,2005-12-31\n");

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(() => NetflixReader.ReadDirectory(dir.Path, 2));

        Assert.EndsWith("mv_0000002.txt", error.Path, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }
}
