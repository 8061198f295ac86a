using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Export;

/// <summary>How to turn one trained model type into a serving graph.</summary>
public sealed record OnnxExporter(Type ModelType, Func<IRatingModel, ExportedGraph> Export);

/// <summary>
/// The registry of exporters, by the trained model's type. A new model kind adds one exporter file (a static
/// <c>Export(TModel)</c> that builds its graph with <see cref="OnnxGraphBuilder"/> and declares the contract through
/// <see cref="ServingGraph"/>) and one line here.
/// </summary>
public static class OnnxExporters
{
    public static IReadOnlyList<OnnxExporter> All { get; } =
    [
        For<FactorModel>(FactorModelExporter.Export),
        For<TimeAwareModel>(TimeAwareExporter.Export),
        For<Models.Autoencoders.ItemAutoRecModel>(AutoRecItemExporter.Export),
        For<Models.Autoencoders.UserAutoencoderModel>(UserAutoencoderExporter.Export),
        For<Models.Autoencoders.MultVaeModel>(MultVaeExporter.Export),
        For<Models.Graph.GcmcModel>(GcmcExporter.Export),
        For<Models.Graph.LightGcnModel>(LightGcnExporter.Export),
        For<Models.Graph.SageModel>(SageExporter.Export),
    ];

    /// <summary>Whether a graph can be written for this model.</summary>
    public static bool Supports(IRatingModel model) => All.Any(e => e.ModelType.IsInstanceOfType(model));

    /// <summary>The exporter for this model; a model type without one is an error naming it.</summary>
    public static OnnxExporter Find(IRatingModel model) =>
        All.FirstOrDefault(e => e.ModelType.IsInstanceOfType(model))
        ?? throw new ArgumentException($"--model: no ONNX exporter for model '{model.Name}' ({model.GetType().Name}) yet", nameof(model));

    private static OnnxExporter For<TModel>(Func<TModel, ExportedGraph> export)
        where TModel : IRatingModel =>
        new(typeof(TModel), model => export((TModel)model));
}
