using Google.Protobuf;
using NetflixRec.Contracts;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using Onnx;

namespace NetflixRec.Training.Tests.Export;

/// <summary>Corrupt or mismatched model.onnx files are refused at load, with a message that says what is wrong.</summary>
[Trait("Category", "Slow")]
[Collection(TorchCollection.Name)]
public sealed class OnnxArtifactTests : IClassFixture<ExportedKinds>
{
    private readonly ExportedKinds _kinds;

    public OnnxArtifactTests(ExportedKinds kinds) => _kinds = kinds;

    [Fact]
    public void Validate_IntactExport_Passes()
    {
        (string directory, ModelManifest manifest) = Directory("biased-mf");

        OnnxArtifact.Validate(directory, manifest);
    }

    [Fact]
    public void Validate_TruncatedFile_RejectedAsTruncated()
    {
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, manifest));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TruncatedFileWithMatchingManifest_RejectedAsInvalidOnnx()
    {
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, Resealed(directory, manifest)));
        Assert.Contains("not a valid ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AlteredByte_RejectedByChecksum()
    {
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, manifest));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingInitializer_RejectedNamingIt()
    {
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        ModelManifest resealed = Rewrite(directory, manifest, model =>
            model.Graph.Initializer.Remove(model.Graph.Initializer.Single(i => i.Name == "user_bias")));

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, resealed));
        Assert.Contains("'user_bias'", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing initializer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxScorerOpen_MissingInitializer_OnnxRuntimeRefusesWithClearError()
    {
        // What a server that only has ONNX Runtime sees for the same corruption.
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        Rewrite(directory, manifest, model => model.Graph.Initializer.Remove(model.Graph.Initializer.Single(i => i.Name == "movie_factors")));

        var error = Assert.Throws<InvalidDataException>(() => OnnxScorer.Open(Path.Combine(directory, ModelDirectory.Onnx), OnnxContract.IndexInput, manifest.Movies));
        Assert.Contains("ONNX Runtime rejects the model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WeightsWithWrongDims_RejectedBySmokeRun()
    {
        // movie_bias one movie short, raw data consistent with its dims: only running the graph shows the mismatch.
        (string directory, ModelManifest manifest) = Directory("biased-mf");
        ModelManifest resealed = Rewrite(directory, manifest, model =>
        {
            TensorProto bias = model.Graph.Initializer.Single(i => i.Name == "movie_bias");
            bias.Dims[0] -= 1;
            bias.RawData = ByteString.CopyFrom(bias.RawData.Span[..^sizeof(float)]);
        });

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, resealed));
        Assert.Contains("do not match the manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InitializerDataShorterThanDims_Rejected()
    {
        (string directory, ModelManifest manifest) = Directory("svdpp");
        ModelManifest resealed = Rewrite(directory, manifest, model =>
        {
            TensorProto factors = model.Graph.Initializer.Single(i => i.Name == "user_factors");
            factors.RawData = ByteString.CopyFrom(factors.RawData.Span[..^64]);
        });

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, resealed));
        Assert.Contains("'user_factors'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManifestOfAnotherModel_RejectedByMetadata()
    {
        (string directory, ModelManifest manifest) = Directory("bias");

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, manifest with { Users = manifest.Users + 1 }));
        Assert.Contains("netflixrec.users", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RenamedInput_RejectedAgainstTheContract()
    {
        (string directory, ModelManifest manifest) = Directory("nmf");
        ModelManifest resealed = Rewrite(directory, manifest, model => model.Graph.Input[0].Name = "user");

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, resealed));
        Assert.Contains("graph inputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManifestWithoutExport_Rejected()
    {
        (string directory, ModelManifest manifest) = Directory("bias");

        var error = Assert.Throws<InvalidDataException>(() => OnnxArtifact.Validate(directory, manifest with { Onnx = null }));
        Assert.Contains("netflixrec export", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A fresh directory holding this kind's exported graph as model.onnx, and its manifest.</summary>
    private (string Directory, ModelManifest Manifest) Directory(string name)
    {
        ExportedKind kind = _kinds[name];
        string directory = _kinds.Directory.Combine("artifact-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        File.Copy(kind.OnnxPath, Path.Combine(directory, ModelDirectory.Onnx));
        return (directory, ExportedKinds.ManifestOf(kind));
    }

    /// <summary>Edits the model, writes it back, and returns a manifest whose size and checksum match the edited file, so the check under test is the structural one.</summary>
    private static ModelManifest Rewrite(string directory, ModelManifest manifest, Action<ModelProto> edit)
    {
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        edit(model);
        OnnxModelFile.Write(model, path);
        return Resealed(directory, manifest);
    }

    private static ModelManifest Resealed(string directory, ModelManifest manifest)
    {
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        return manifest with { Onnx = manifest.Onnx! with { Bytes = new FileInfo(path).Length, Sha256 = OnnxModelFile.Sha256Of(path) } };
    }
}
