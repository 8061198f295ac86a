using System.Globalization;
using System.Text;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class NetflixWriterTests : IDisposable
{
    private static readonly short Day1 = DayNumber.FromDate(new DateOnly(2005, 9, 6));
    private static readonly short Day2 = DayNumber.FromDate(new DateOnly(1999, 11, 11));

    private readonly string _directory = Directory.CreateTempSubdirectory("netflixrec-writer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WriteMovieFile_TwoRatings_WritesPrizeLinesToZeroPaddedName()
    {
        var ratings = new MovieRatings(17, new[] { 6, 2_649_429 }, new byte[] { 3, 5 }, new[] { Day1, Day2 });

        long bytes = NetflixWriter.WriteMovieFile(_directory, ratings);

        string path = Path.Combine(_directory, "mv_0000017.txt");
        Assert.Equal("17:\n6,3,2005-09-06\n2649429,5,1999-11-11\n", File.ReadAllText(path, Encoding.ASCII));
        Assert.Equal(new FileInfo(path).Length, bytes);
    }

    [Fact]
    public void WriteMovieFile_ManyRatings_SpansBufferFlushesIntact()
    {
        const int count = 20_000;
        int[] customers = Enumerable.Range(1, count).Select(k => k * 7).ToArray();
        byte[] stars = Enumerable.Range(0, count).Select(k => (byte)(1 + (k % 5))).ToArray();
        short[] days = Enumerable.Range(0, count).Select(k => (short)(Day2 + (k % 2000))).ToArray();

        NetflixWriter.WriteMovieFile(_directory, new MovieRatings(1, customers, stars, days));

        string[] lines = File.ReadAllLines(Path.Combine(_directory, "mv_0000001.txt"));
        Assert.Equal(count + 1, lines.Length);
        for (int k = 0; k < count; k++)
        {
            string date = DayNumber.ToDate(days[k]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal($"{customers[k]},{stars[k]},{date}", lines[k + 1]);
        }
    }

    [Fact]
    public void WriteMovieFile_RatingOutOfRange_ThrowsAndLeavesNoFile()
    {
        var ratings = new MovieRatings(2, new[] { 6, 7 }, new byte[] { 3, 6 }, new[] { Day1, Day1 });

        Assert.Throws<ArgumentException>(() => NetflixWriter.WriteMovieFile(_directory, ratings));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void WriteCombined_TwoBlocks_ConcatenatesHeadersInOneFile()
    {
        string path = Path.Combine(_directory, "combined_data_1.txt");
        MovieRatings[] blocks =
        [
            new(1, new[] { 10 }, new byte[] { 4 }, new[] { Day1 }),
            new(2, new[] { 11, 12 }, new byte[] { 1, 2 }, new[] { Day2, Day1 }),
        ];

        NetflixWriter.WriteCombined(path, blocks);

        Assert.Equal("1:\n10,4,2005-09-06\n2:\n11,1,1999-11-11\n12,2,2005-09-06\n", File.ReadAllText(path, Encoding.ASCII));
    }

    [Fact]
    public void WriteTitles_CommasLatin1AndNullYear_WritesIso88591()
    {
        string path = Path.Combine(_directory, "movie_titles.txt");
        MovieTitle[] titles = [new(1, 2003, "Love, Actually Again"), new(2, null, "Café Señor"), new(3, 1896, "Plain")];

        NetflixWriter.WriteTitles(path, titles);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("1,2003,Love, Actually Again\n2,NULL,Café Señor\n3,1896,Plain\n", Encoding.Latin1.GetString(bytes));
        Assert.Contains((byte)0xE9, bytes);
        Assert.DoesNotContain((byte)'\r', bytes);
    }

    [Fact]
    public void WriteTitles_CharacterOutsideLatin1_ThrowsAndLeavesNoFile()
    {
        string path = Path.Combine(_directory, "movie_titles.txt");

        Assert.Throws<ArgumentException>(() => NetflixWriter.WriteTitles(path, [new MovieTitle(1, 2000, "Snow ☃")]));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Fact]
    public void WriteProbeAndQualifying_Blocks_WriteCustomersAndDates()
    {
        string probe = Path.Combine(_directory, "probe.txt");
        string qualifying = Path.Combine(_directory, "qualifying.txt");
        MovieQueries[] blocks = [new(1, new[] { 30, 31 }, new[] { Day1, Day2 }), new(5, new[] { 40 }, new[] { Day2 })];

        NetflixWriter.WriteProbe(probe, blocks);
        NetflixWriter.WriteQualifying(qualifying, blocks);

        Assert.Equal("1:\n30\n31\n5:\n40\n", File.ReadAllText(probe, Encoding.ASCII));
        Assert.Equal("1:\n30,2005-09-06\n31,1999-11-11\n5:\n40,1999-11-11\n", File.ReadAllText(qualifying, Encoding.ASCII));
    }

    [Fact]
    public void WriteOracle_Floats_ReadBackExactly()
    {
        string path = Path.Combine(_directory, "probe_oracle.txt");
        float[] expected = [1f, 3.1415927f, 1f / 3, 4.9999995f, 2.5f];
        MovieOracle[] blocks = [new(9, new[] { 1, 2, 3, 4, 5 }, expected)];

        NetflixWriter.WriteOracle(path, blocks);

        string[] lines = File.ReadAllLines(path);
        Assert.Equal("9:", lines[0]);
        float[] readBack = lines.Skip(1).Select(line => float.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, readBack);
    }

    [Fact]
    public void WriteMovieFile_ExistingFile_IsReplacedWithoutLeftovers()
    {
        NetflixWriter.WriteMovieFile(_directory, new MovieRatings(3, new[] { 1 }, new byte[] { 1 }, new[] { Day1 }));
        NetflixWriter.WriteMovieFile(_directory, new MovieRatings(3, new[] { 2 }, new byte[] { 2 }, new[] { Day2 }));

        Assert.Equal(["mv_0000003.txt"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.Equal("3:\n2,2,1999-11-11\n", File.ReadAllText(Path.Combine(_directory, "mv_0000003.txt")));
    }
}
