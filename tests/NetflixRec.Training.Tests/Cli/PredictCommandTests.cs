using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Tests.Cli;

/// <summary><c>netflixrec predict</c> and the Prize predictions file: layout, order, line counts, bad input.</summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class PredictCommandTests
{
    private readonly TinyDataset _tiny;

    public PredictCommandTests(TinyDataset tiny) => _tiny = tiny;

    [Fact]
    public void PredictionFile_WriteThenRead_KeepsBlocksOrderAndClipsToStars()
    {
        string path = _tiny.Directory.Combine("round-" + Guid.NewGuid().ToString("N") + ".txt");
        PredictionBlock[] blocks = [new(17, [3.25f, 0.2f, 6f]), new(3, [4.5f]), new(9, [])];

        PredictionFile.Write(path, blocks);
        IReadOnlyList<PredictionBlock> back = PredictionFile.Read(path);

        Assert.Equal(["17:", "3.250", "1.000", "5.000", "3:", "4.500", "9:"], File.ReadAllLines(path));
        Assert.Equal([17, 3, 9], back.Select(b => b.MovieId));
        Assert.Equal([3.25f, 1f, 5f], back[0].Predictions);
        Assert.Empty(back[2].Predictions);
    }

    [Fact]
    public void PredictionFile_ReadMalformedLine_NamesFileAndLine()
    {
        string path = _tiny.Directory.Write("bad-" + Guid.NewGuid().ToString("N") + ".txt", "1:\n3.5\nfour\n");

        var error = Assert.Throws<NetflixFormatException>(() => PredictionFile.Read(path));

        Assert.Contains(":3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("probe", "probe.txt")]
    [InlineData("qualifying", "qualifying.txt")]
    public void Predict_TimeBias_WritesOneLinePerQueryLineInTheQueryFilesOrder(string set, string queryFile)
    {
        string model = _tiny.Directory.Combine("models", "tb-" + Guid.NewGuid().ToString("N"));
        string output = _tiny.Directory.Combine("pred-" + Guid.NewGuid().ToString("N") + ".txt");
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "time-bias", "--out", model]));

        Assert.Equal(CliRun.Success, CliApp.Run(["predict", "--data", _tiny.Dataset, "--model", model, "--set", set, "--out", output]));
        // The generator wrote the qualifying stars beside the oracle: one answer per qualifying line.
        Assert.Equal(File.ReadAllLines(Path.Combine(_tiny.Directory.Combine("netflix"), "qualifying.txt")).Length,
            File.ReadAllLines(Path.Combine(_tiny.Directory.Combine("netflix"), "qualifying_answers.txt")).Length);

        string[] query = File.ReadAllLines(Path.Combine(_tiny.Directory.Combine("netflix"), queryFile));
        string[] written = File.ReadAllLines(output);
        Assert.Equal(query.Length, written.Length);
        for (int i = 0; i < query.Length; i++)
        {
            // Headers line up exactly; every other line is a rating in 1–5.
            if (query[i].EndsWith(':'))
            {
                Assert.Equal(query[i], written[i]);
            }
            else
            {
                Assert.InRange(float.Parse(written[i], System.Globalization.CultureInfo.InvariantCulture), 1f, 5f);
            }
        }
    }

    [Fact]
    public void Predict_BadSetOrMissingQuery_ExitsTwoAndWritesNothing()
    {
        string model = _tiny.Directory.Combine("models", "b-" + Guid.NewGuid().ToString("N"));
        string output = _tiny.Directory.Combine("none-" + Guid.NewGuid().ToString("N") + ".txt");
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", model]));

        Assert.Equal(CliRun.BadInput, CliApp.Run(["predict", "--data", _tiny.Dataset, "--model", model, "--set", "quiz", "--out", output]));
        Assert.Equal(CliRun.BadInput, CliApp.Run(["predict", "--data", _tiny.Dataset, "--model", model, "--set", "probe", "--out", output,
            "--query", _tiny.Directory.Combine("no-such-file.txt")]));
        string badQuery = _tiny.Directory.Write("q-" + Guid.NewGuid().ToString("N") + ".txt", "1:\n999999999,2005-01-01\n");
        Assert.Equal(CliRun.BadInput, CliApp.Run(["predict", "--data", _tiny.Dataset, "--model", model, "--set", "qualifying", "--out", output, "--query", badQuery]));
        Assert.False(File.Exists(output));
    }
}
