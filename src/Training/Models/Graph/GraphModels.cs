using NetflixRec.Contracts;

namespace NetflixRec.Training.Models.Graph;

/// <summary>The graph family's catalog entries: bind the config record, train, and load the saved embeddings back.</summary>
public static class GraphModels
{
    public static IReadOnlyList<ModelEntry> Entries { get; } =
    [
        new(Gcmc.Name, ModelFamily.Graph,
            (data, hyperparameters, progress) => Gcmc.Train(data, ModelConfig.Bind<GcmcConfig>(hyperparameters, Gcmc.Name), progress),
            GcmcModel.FromTensors),
        new(LightGcn.Name, ModelFamily.Graph,
            (data, hyperparameters, progress) => LightGcn.Train(data, ModelConfig.Bind<LightGcnConfig>(hyperparameters, LightGcn.Name), progress),
            LightGcnModel.FromTensors),
        new(Sage.Name, ModelFamily.Graph,
            (data, hyperparameters, progress) => Sage.Train(data, ModelConfig.Bind<SageConfig>(hyperparameters, Sage.Name), progress),
            SageModel.FromTensors),
    ];
}
