using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>The train → evaluate path of the CLI on a generated tiny Prize, as a user runs it.</summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class TrainEvaluateTests
{
    private readonly TinyDataset _tiny;

    public TrainEvaluateTests(TinyDataset tiny) => _tiny = tiny;

    [Fact]
    public void TrainThenEvaluate_Bias_WritesModelAndMetricsIntoManifest()
    {
        string model = _tiny.Directory.Combine("models", "bias-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", model]));
        Assert.Equal(CliRun.Success, CliApp.Run(["evaluate", "--data", _tiny.Dataset, "--model", model, "--json"]));

        ModelManifest manifest = ModelStore.ReadManifest(model);
        Assert.Equal("bias", manifest.Name);
        Assert.Equal(ModelFamily.Baseline, manifest.Family);
        Assert.NotEmpty(manifest.LearningCurve);
        Assert.InRange(manifest.Metrics["rmse"], 0.5, 1.5);
        Assert.True(manifest.Metrics.ContainsKey("recall@20"));
        Assert.True(manifest.Metrics["oracle_rmse"] < manifest.Metrics["rmse"]);
    }

    [Fact]
    public void Train_ConfigWithUnknownField_ExitsTwoAndWritesNothing()
    {
        string config = _tiny.Directory.Write("bad-" + Guid.NewGuid().ToString("N") + ".json", "{\"max_epochs\": 2, \"learning_rat\": 0.1}");
        string model = _tiny.Directory.Combine("models", "bad-" + Guid.NewGuid().ToString("N"));

        int code = CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--config", config, "--out", model]);

        Assert.Equal(CliRun.BadInput, code);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void Train_UnknownModel_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "no-such-model", "--out", _tiny.Directory.Combine("x")]));
    }

    [Fact]
    public void Evaluate_ModelFromOtherData_ExitsTwo()
    {
        string model = _tiny.Directory.Combine("models", "other-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", model]));
        string manifestPath = Path.Combine(model, ModelManifest.FileName);
        ModelManifest manifest = ModelStore.ReadManifest(model);
        File.WriteAllText(manifestPath, (manifest with { DataFingerprint = "0000" }).ToJson());

        Assert.Equal(CliRun.BadInput, CliApp.Run(["evaluate", "--data", _tiny.Dataset, "--model", model]));
    }

    [Theory]
    [InlineData("{\"global_mean\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}")]
    [InlineData("{\"global_mean\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"global_mean\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}")]
    public void Evaluate_CorruptWeights_ExitsTwoNamingTheFile(string header)
    {
        string model = _tiny.Directory.Combine("models", "corrupt-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", model]));
        string weights = Path.Combine(model, ModelStore.WeightsFileName);
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((ulong)json.Length), .. json, 0, 0, 0, 0]);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelStore.Load(model));
        Assert.StartsWith($"{weights}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(CliRun.BadInput, CliApp.Run(["evaluate", "--data", _tiny.Dataset, "--model", model]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TrainAndEvaluate_DataServedOverFlight_SameModelAsFromTheDirectory()
    {
        await using DatasetFlightHost host = await DatasetFlightHost.StartAsync(LocalDataset.Open(_tiny.Dataset), new Uri("http://127.0.0.1:0"));
        string local = _tiny.Directory.Combine("models", "local-" + Guid.NewGuid().ToString("N"));
        string remote = _tiny.Directory.Combine("models", "flight-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", "bias", "--out", local]));
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", host.Address.ToString(), "--model", "bias", "--out", remote]));
        Assert.Equal(CliRun.Success, CliApp.Run(["evaluate", "--data", host.Address.ToString(), "--model", remote]));

        Assert.Equal(File.ReadAllBytes(Path.Combine(local, ModelStore.WeightsFileName)), File.ReadAllBytes(Path.Combine(remote, ModelStore.WeightsFileName)));
        Assert.Equal(ModelStore.ReadManifest(local).DataFingerprint, ModelStore.ReadManifest(remote).DataFingerprint);
        Assert.True(ModelStore.ReadManifest(remote).Metrics.ContainsKey("rmse"));
    }

    [Fact]
    public void Train_NoFlightServerAtAddress_ExitsTwo()
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["train", "--data", "http://127.0.0.1:9", "--model", "bias", "--out", _tiny.Directory.Combine("nowhere")]));
    }
}
