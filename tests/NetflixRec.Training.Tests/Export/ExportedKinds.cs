using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Export;

/// <summary>One model of a kind, trained briefly on a small low-rank problem, and its exported graph on disk.</summary>
public sealed record ExportedKind(string Name, IRatingModel Model, RatingIndex History, string OnnxPath, ExportedGraph Graph);

/// <summary>
/// Every kind in <see cref="ModelCatalog"/> trained for a few epochs on the same small problem and exported with its
/// registered exporter, once for all the export tests (a kind without an exporter fails here, by design).
/// </summary>
public sealed class ExportedKinds : IDisposable
{
    public const int Users = 70;
    public const int Movies = 45;

    // Exported on first use, per kind: a kind that fails to train or export fails only its own tests.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<ExportedKind>> _kinds = new();

    public TempDirectory Directory { get; } = new();

    public static TheoryData<string> Names => [.. ModelCatalog.Names];

    public ExportedKind this[string name] => _kinds.GetOrAdd(name, n => new Lazy<ExportedKind>(() => Export(n))).Value;

    public void Dispose() => Directory.Dispose();

    private ExportedKind Export(string name)
    {
        (TrainingData data, _) = MfFixtures.LowRank(Users, Movies, rank: 3, observed: 0.5, seed: 11);
        JsonObject overrides = new() { ["threads"] = 1 };
        if (ModelConfig.Defaults(name).ContainsKey("max_epochs"))
        {
            overrides["max_epochs"] = 3;
        }

        IRatingModel model = ModelCatalog.Find(name).Train(data, ModelCatalog.Configure(name, overrides, "test"), MfFixtures.NoProgress).Model;
        ExportedGraph graph = OnnxExporters.Find(model).Export(model);
        string path = Directory.Combine(name + ".onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(graph, new OnnxModelFacts(name, model.Family, model.Users, model.Movies, "test")), path);
        return new ExportedKind(name, model, RatingIndex.ByUser(data.Train, Users), path, graph);
    }

    /// <summary>The manifest export would record for this kind (what the validator checks the file against).</summary>
    public static ModelManifest ManifestOf(ExportedKind kind)
    {
        (IReadOnlyList<OnnxTensorInfo> inputs, IReadOnlyList<OnnxTensorInfo> outputs) = ServingGraph.Signature(kind.Graph.UserInput, kind.Model.Movies);
        var info = new FileInfo(kind.OnnxPath);
        return new ModelManifest(kind.Name, kind.Model.Family, kind.Model.Users, kind.Model.Movies, new Dictionary<string, long>(), [], "test", 0, 0, 0, [],
            new Dictionary<string, double>(), 0, "test", null,
            new OnnxSignature(ModelDirectory.Onnx, OnnxContract.IrVersion, OnnxContract.Opset, kind.Graph.UserInput, inputs, outputs, 0, info.Length,
                kind.Graph.ScoreKind, OnnxModelFile.Sha256Of(kind.OnnxPath)));
    }
}
