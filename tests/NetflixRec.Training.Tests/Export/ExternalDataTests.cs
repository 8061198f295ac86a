using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.Cli;
using Onnx;

namespace NetflixRec.Training.Tests.Export;

/// <summary>
/// Graphs past protobuf's 2 GB limit keep their large initializers in model.onnx.data: the export writes it (forced
/// here by a zero threshold), the artifact checks and ONNX Runtime read it, a small graph stays one file, and a damaged
/// or missing data file is refused naming it.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ExternalDataTests
{
    private readonly TinyDataset _tiny;

    public ExternalDataTests(TinyDataset tiny) => _tiny = tiny;

    [Fact]
    public void Export_ZeroThreshold_WritesDataFileThatValidatesAndScoresLikeTheModel()
    {
        string model = Train("timesvdpp");

        ExportResult result = ModelExport.Run(model, null, _ => { }, externalThreshold: 0);

        string onnx = Path.Combine(model, ModelDirectory.Onnx), data = OnnxExternalData.PathFor(onnx);
        Assert.True(File.Exists(data));
        Assert.True(new FileInfo(data).Length > 10 * new FileInfo(onnx).Length, "the weights should live in the data file");
        Assert.True(result.Parity.Passed, result.Parity.ToString());
        Assert.InRange(result.Parity.MaxPairDifference, 0, 1e-4);
        ModelManifest manifest = ModelStore.ReadManifest(model);
        Assert.Equal(new FileInfo(onnx).Length, manifest.Onnx!.Bytes);
        OnnxArtifact.Validate(model, manifest);
        Assert.Empty(Directory.EnumerateFileSystemEntries(model, ".*"));

        // Re-exported under the default threshold the graph is one file again, and the old data file is gone.
        ModelExport.Run(model, null, _ => { });
        Assert.False(File.Exists(data));
        OnnxArtifact.Validate(model, ModelStore.ReadManifest(model));
    }

    [Fact]
    public void Validate_AlteredOrMissingDataFile_IsRefusedNamingIt()
    {
        string model = Train("time-bias");
        ModelExport.Run(model, null, _ => { }, externalThreshold: 0);
        ModelManifest manifest = ModelStore.ReadManifest(model);
        string data = OnnxExternalData.PathFor(Path.Combine(model, ModelDirectory.Onnx));

        byte[] bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(data, bytes);
        var altered = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(model, manifest));
        Assert.Contains("model.onnx.data", altered.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", altered.Message, StringComparison.Ordinal);

        File.WriteAllBytes(data, bytes[..^1]);
        var truncated = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(model, manifest));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);

        File.Delete(data);
        var missing = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(model, manifest));
        Assert.Contains("not found", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TensorPointingOutsideItsDataFile_IsRefused()
    {
        string model = Train("time-bias");
        ModelExport.Run(model, null, _ => { }, externalThreshold: 0);
        string onnx = Path.Combine(model, ModelDirectory.Onnx);

        ModelProto proto;
        using (FileStream stream = File.OpenRead(onnx))
        {
            proto = ModelProto.Parser.ParseFrom(stream);
        }

        TensorProto tensor = proto.Graph.Initializer.First(OnnxExternalData.IsExternal);
        tensor.ExternalData.First(e => e.Key == "location").Value = "../elsewhere.data";
        var outside = Assert.Throws<InvalidDataException>(() => OnnxExternalData.Verify(onnx, proto));
        Assert.Contains("elsewhere", outside.Message, StringComparison.Ordinal);

        tensor.ExternalData.First(e => e.Key == "location").Value = "model.onnx.data";
        tensor.ExternalData.First(e => e.Key == "offset").Value = new FileInfo(OnnxExternalData.PathFor(onnx)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<InvalidDataException>(() => OnnxExternalData.Verify(onnx, proto));
    }

    [Fact]
    public void Write_SmallGraph_StaysOneFile()
    {
        string model = Train("time-bias");

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model]));

        Assert.False(File.Exists(OnnxExternalData.PathFor(Path.Combine(model, ModelDirectory.Onnx))));
        ModelProto proto;
        using (FileStream stream = File.OpenRead(Path.Combine(model, ModelDirectory.Onnx)))
        {
            proto = ModelProto.Parser.ParseFrom(stream);
        }

        Assert.DoesNotContain(proto.Graph.Initializer, OnnxExternalData.IsExternal);
    }

    private string Train(string name)
    {
        string model = _tiny.Directory.Combine("models", name + "-" + Guid.NewGuid().ToString("N"));
        string config = _tiny.Directory.Write("short-" + Guid.NewGuid().ToString("N") + ".json", "{\"max_epochs\": 2}");
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", name, "--out", model, "--config", config]));
        return model;
    }
}
