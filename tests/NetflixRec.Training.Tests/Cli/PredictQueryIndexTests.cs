using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>
/// <c>netflixrec predict</c> indexes its query file as ingest indexes the qualifying set (one function,
/// DatasetBuilder.IndexQueries): the same errors naming the file and line, the same tolerance of an empty block; the
/// probe's stars and days come from the probe partition.
/// </summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class PredictQueryIndexTests
{
    private readonly TinyDataset _tiny;

    public PredictQueryIndexTests(TinyDataset tiny) => _tiny = tiny;

    [Fact]
    public void Predict_UnknownCustomer_NamesFileLineAndCustomer()
    {
        string model = TrainBias();
        string query = _tiny.Directory.Write("q-" + Guid.NewGuid().ToString("N") + ".txt", $"{FirstQualifyingMovie()}:\n999999999,2005-01-01\n");

        var error = Assert.Throws<NetflixFormatException>(() => Predict(model, PredictCommand.Qualifying, query));

        Assert.StartsWith($"{query}:2: customer 999999999 has no ratings in the training set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_ProbeFileWithAPairOutsideTheProbe_NamesFileAndLine()
    {
        string model = TrainBias();
        // A qualifying pair: both IDs are known, but the pair is not a probe rating.
        (int movie, int customer) = FirstQualifyingPair();
        string query = _tiny.Directory.Write("p-" + Guid.NewGuid().ToString("N") + ".txt", $"{movie}:\n{customer}\n");

        var error = Assert.Throws<NetflixFormatException>(() => Predict(model, PredictCommand.Probe, query));

        Assert.StartsWith($"{query}:2: probe pair (movie {movie}, customer {customer}) is not in the dataset's probe partition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_EmptyBlockOfAnUnknownMovie_AsksForNothingAndKeepsItsHeader()
    {
        string model = TrainBias();
        (int movie, int customer) = FirstQualifyingPair();
        string query = _tiny.Directory.Write("e-" + Guid.NewGuid().ToString("N") + ".txt", $"99999:\n{movie}:\n{customer},2005-06-01\n");
        string output = _tiny.Directory.Combine("pred-" + Guid.NewGuid().ToString("N") + ".txt");

        Assert.Equal(CliRun.Success, CliApp.Run(["predict", "--data", _tiny.Dataset, "--model", model, "--set", PredictCommand.Qualifying,
            "--out", output, "--query", query]));

        string[] lines = File.ReadAllLines(output);
        Assert.Equal(["99999:", $"{movie}:"], lines[..2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Predict_Probe_RmseIsEvaluatesProbeRmse()
    {
        string model = TrainBias();
        Assert.Equal(CliRun.Success, CliApp.Run(["evaluate", "--data", _tiny.Dataset, "--model", model]));
        string manifestPath = Path.Combine(model, Contracts.ModelDirectory.Manifest);
        double evaluated = Contracts.ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath).Metrics["rmse"];
        string output = _tiny.Directory.Combine("pred-" + Guid.NewGuid().ToString("N") + ".txt");

        var result = PredictCommand.Run(_tiny.Dataset, model, PredictCommand.Probe, output, null, threads: 2);

        // Same pairs, same stars (the probe partition's), both clipped to 1–5; predict rounds to 6 decimals.
        Assert.Equal(evaluated, result["rmse"]!.GetValue<double>(), 2e-6);
    }

    private string TrainBias()
    {
        string model = _tiny.Directory.Combine("models", "bias-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", model]));
        return model;
    }

    private void Predict(string model, string set, string query) =>
        PredictCommand.Run(_tiny.Dataset, model, set, _tiny.Directory.Combine("never-" + Guid.NewGuid().ToString("N") + ".txt"), query, threads: 2);

    private int FirstQualifyingMovie() => FirstQualifyingPair().Movie;

    private (int Movie, int Customer) FirstQualifyingPair()
    {
        string[] lines = File.ReadAllLines(Path.Combine(_tiny.Directory.Combine("netflix"), "qualifying.txt"));
        return (int.Parse(lines[0].TrimEnd(':'), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(lines[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
