using NetflixRec.Contracts;

namespace NetflixRec.Training.Models.Graph;

/// <summary>The graph family's catalog entries: bind the config record, train, and load the saved embeddings back.</summary>
public static class GraphModels
{
    public static IReadOnlyList<ModelEntry> Entries { get; } =
    [
        ModelEntry.Of<GcmcConfig>(Gcmc.Name, ModelFamily.Graph, Gcmc.Train, GcmcModel.FromTensors, partialEpochs: true),
        ModelEntry.Of<LightGcnConfig>(LightGcn.Name, ModelFamily.Graph, LightGcn.Train, LightGcnModel.FromTensors, partialEpochs: true),
        ModelEntry.Of<SageConfig>(Sage.Name, ModelFamily.Graph, Sage.Train, SageModel.FromTensors, partialEpochs: true),
    ];
}
