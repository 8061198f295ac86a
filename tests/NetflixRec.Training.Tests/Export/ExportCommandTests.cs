using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Export;

/// <summary><c>netflixrec export</c> on a generated tiny Prize: the completed model directory, its checks and its failures.</summary>
[Collection(TorchCollection.Name)]
public sealed class ExportCommandTests
{
    private readonly TinyDataset _tiny;

    public ExportCommandTests(TinyDataset tiny) => _tiny = tiny;

    [Fact]
    public void Export_TrainedModel_CompletesDirectoryForServing()
    {
        string model = Train("biased-mf");

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--json"]));

        ModelManifest manifest = ModelStore.ReadManifest(model);
        OnnxSignature onnx = Assert.IsType<OnnxSignature>(manifest.Onnx);
        Assert.Equal((ModelDirectory.Onnx, 8L, 17L, OnnxContract.IndexInput, OnnxContract.RatingScores), (onnx.File, onnx.IrVersion, onnx.Opset, onnx.UserInput, onnx.ScoreKind));
        Assert.Equal([OnnxContract.UserIndex, OnnxContract.PairRow, OnnxContract.PairMovie], onnx.Inputs.Select(i => i.Name));
        Assert.Equal([OnnxContract.Scores, OnnxContract.PairScores], onnx.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, manifest.Movies], onnx.Outputs[0].Shape);
        Assert.Equal(new FileInfo(Path.Combine(model, ModelDirectory.Onnx)).Length, onnx.Bytes);
        Assert.Equal(OnnxModelFile.Sha256Of(Path.Combine(model, ModelDirectory.Onnx)), onnx.Sha256);
        foreach (string file in new[] { ModelDirectory.Users, ModelDirectory.Movies, ModelDirectory.Titles })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_tiny.Dataset, file)), File.ReadAllBytes(Path.Combine(model, file)));
        }

        LocalDataset dataset = LocalDataset.Open(_tiny.Dataset);
        RatingIndex expected = RatingIndex.ByUser(dataset.LoadRatings(DatasetPartition.Train), dataset.Manifest.Users);
        RatingIndex history = UserHistory.Read(Path.Combine(model, ModelDirectory.History));
        Assert.Equal(expected.Offsets.ToArray(), history.Offsets.ToArray());
        Assert.Equal(expected.Columns.ToArray(), history.Columns.ToArray());
        Assert.Equal(expected.Ratings.ToArray(), history.Ratings.ToArray());
        Assert.Empty(Directory.EnumerateFileSystemEntries(model, ".*"));
        OnnxArtifact.Validate(model, manifest);
    }

    [Fact]
    public void Export_Twice_ReplacesTheGraphAndKeepsTheDirectoryValid()
    {
        string model = Train("bias");
        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model]));
        byte[] first = File.ReadAllBytes(Path.Combine(model, ModelDirectory.Onnx));

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--data", _tiny.Dataset]));

        Assert.Equal(first, File.ReadAllBytes(Path.Combine(model, ModelDirectory.Onnx)));
        OnnxArtifact.Validate(model, ModelStore.ReadManifest(model));
    }

    [Fact]
    public void Export_DataWithOtherFingerprint_ExitsTwoAndChangesNothing()
    {
        string model = Train("bias");
        string manifestPath = Path.Combine(model, ModelDirectory.Manifest);
        File.WriteAllText(manifestPath, (ModelStore.ReadManifest(model) with { DataFingerprint = "0000" }).ToJson());
        string[] before = Listing(model);

        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", model]));

        Assert.Equal(before, Listing(model));
        Assert.Null(ModelStore.ReadManifest(model).Onnx);
    }

    [Fact]
    public void Export_FailureWhileWriting_LeavesNoFileBehind()
    {
        // A copy of the dataset whose titles.arrow is gone: same fingerprint, so the export starts, then fails copying it.
        string broken = _tiny.Directory.Combine("broken-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(broken);
        foreach (string file in Directory.EnumerateFiles(_tiny.Dataset, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(broken, Path.GetRelativePath(_tiny.Dataset, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.Delete(Path.Combine(broken, ModelDirectory.Titles));
        string model = Train("bias");
        string[] before = Listing(model);

        Assert.NotEqual(CliRun.Success, CliApp.Run(["export", "--model", model, "--data", broken]));

        Assert.Equal(before, Listing(model));
        Assert.Null(ModelStore.ReadManifest(model).Onnx);
    }

    [Fact]
    public void Export_DataSourceIsFlightEndpoint_ExitsTwoAskingForDirectory()
    {
        string model = Train("bias");
        File.WriteAllText(Path.Combine(model, ModelDirectory.Manifest), (ModelStore.ReadManifest(model) with { DataSource = "http://127.0.0.1:9" }).ToJson());

        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", model]));
        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--data", _tiny.Dataset]));
    }

    [Fact]
    public void Export_NotAModelDirectory_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", _tiny.Directory.Combine("no-model-here")]));
    }

    [Fact]
    public void BenchOnnx_ExportedModel_ReportsBothThroughputs()
    {
        string model = Train("svdpp");
        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model]));

        BenchOnnxSummary result = BenchOnnxCommand.Run(model, userCount: 50, batch: 16, threads: 1, tryCuda: false, json: true);

        Assert.Equal(50, result.Users);
        Assert.Equal("CPU", result.Provider);
        Assert.True(result.OnnxUsersPerSecond > 0);
        Assert.True(result.InProcessUsersPerSecond > 0);
    }

    [Fact]
    public void BenchOnnx_ModelNotExported_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["bench-onnx", "--model", Train("bias")]));
    }

    private string Train(string name)
    {
        string model = _tiny.Directory.Combine("models", name + "-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", name, "--out", model, "--config", Config()]));
        return model;
    }

    private string Config() => _tiny.Directory.Write("short-" + Guid.NewGuid().ToString("N") + ".json", "{\"max_epochs\": 2}");

    private static string[] Listing(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(f => Path.GetFileName(f) + ":" + (File.Exists(f) ? File.GetLastWriteTimeUtc(f).Ticks : 0)).Order()];
}
