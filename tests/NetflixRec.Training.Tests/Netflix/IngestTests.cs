using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Tests.Netflix;

public sealed class IngestTests
{
    [Fact]
    public void FromSource_ProbePairs_MoveFromTrainToProbeWithDenseIndices()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);

        NetflixDataset dataset = DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir.Path, 2), 2);

        Assert.Equal([10, 20, 40, 2649429], dataset.Users.Ids.ToArray());
        Assert.Equal([1, 2], dataset.Movies.Ids.ToArray());
        Assert.Equal(3, dataset.Train.Count);
        Assert.Equal(2, dataset.Probe.Count);
        // Probe: (movie 1, customer 20, 5 stars) and (movie 2, customer 40, 2 stars).
        Assert.Equal([1, 2], dataset.Probe.Users.ToArray());
        Assert.Equal([0, 1], dataset.Probe.Movies.ToArray());
        Assert.Equal([5, 2], dataset.Probe.Ratings.ToArray());
        Assert.Equal([0, 3, 0], dataset.Train.Users.ToArray());
        Assert.Equal([2], dataset.Qualifying.Users.ToArray());
        Assert.Equal(5, dataset.RatingCount);
    }

    [Fact]
    public void FromSource_ProbePairNotInTraining_ReportsProbeLine()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, probe: "1:\n20\n2:\n40\n20\n");

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(
            () => DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir.Path, 2), 2));

        Assert.EndsWith("probe.txt", error.Path, StringComparison.Ordinal);
        Assert.Equal(5, error.Line);
        Assert.Contains("(movie 2, customer 20) is not in the training set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_ProbeCustomerWithoutRatings_ReportsProbeLine()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, probe: "1:\n20\n777\n");

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(
            () => DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir.Path, 2), 2));

        Assert.Equal(3, error.Line);
        Assert.Contains("customer 777", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSource_QualifyingUnknownMovie_ReportsQualifyingLine()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, qualifying: "1:\n40,2005-12-01\n3:\n10,2005-12-02\n");

        NetflixFormatException error = Assert.Throws<NetflixFormatException>(
            () => DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir.Path, 2), 2));

        Assert.EndsWith("qualifying.txt", error.Path, StringComparison.Ordinal);
        Assert.Equal(4, error.Line);
        Assert.Contains("movie 3 has no ratings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_BadInput_ExitsTwoAndLeavesNoOutput()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, movie2: "2:\n10,1,2003-01-02\n40,2,2005-12-32\n");
        string output = dir.Combine("out", "dataset");

        int code = CliApp.Run(["ingest", "--netflix", dir.Path, "--out", output]);

        Assert.Equal(CliRun.BadInput, code);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.Exists(dir.Combine("out")) ? Directory.GetFileSystemEntries(dir.Combine("out")) : []);
    }

    [Fact]
    public void Ingest_RepeatedRating_ExitsTwoAndLeavesNoOutput()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir, movie2: "2:\n10,1,2003-01-02\n10,4,2003-01-03\n");
        string output = dir.Combine("dataset");
        var error = new StringWriter();
        TextWriter saved = Console.Error;
        int code;
        Console.SetError(error);
        try
        {
            code = CliApp.Run(["ingest", "--netflix", dir.Path, "--out", output]);
        }
        finally
        {
            Console.SetError(saved);
        }

        Assert.Equal(CliRun.BadInput, code);
        Assert.False(Directory.Exists(output));
        Assert.Contains("mv_0000002.txt:3: customer 10 rates movie 2 a second time (first on line 2)", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_MissingArgument_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["ingest", "--out", "somewhere"]));
    }

    [Fact]
    public void Ingest_ExistingNonEmptyOutput_ExitsTwoAndKeepsIt()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);
        string keep = dir.Write("existing/keep.txt", "mine");

        int code = CliApp.Run(["ingest", "--netflix", dir.Path, "--out", dir.Combine("existing")]);

        Assert.Equal(CliRun.BadInput, code);
        Assert.Equal("mine", File.ReadAllText(keep));
    }

    [Fact]
    public void Ingest_ValidDirectory_WritesDatasetThatLoadsBack()
    {
        using var dir = new TempDirectory();
        NetflixFixture.Write(dir);
        string output = dir.Combine("dataset");

        int code = CliApp.Run(["ingest", "--netflix", dir.Path, "--out", output, "--json"]);

        Assert.Equal(CliRun.Success, code);
        LocalDataset stored = LocalDataset.Open(output);
        NetflixDataset expected = DatasetBuilder.FromSource(NetflixReader.ReadDirectory(dir.Path, 1), 1);
        Assert.Equal(DatasetFingerprint.Of(expected), stored.Manifest.Fingerprint);
        Assert.Equal(DatasetFingerprint.Of(expected), DatasetFingerprint.Of(stored.Load()));
        Assert.Equal(3, stored.Manifest.Titles);
        Assert.Equal(5, stored.Manifest.Ratings);
    }
}
