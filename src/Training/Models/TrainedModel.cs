using System.Text.Json.Nodes;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Models;

/// <summary>A trainer's result: the model, its learning curve, the epoch whose weights were kept, and the hyperparameters used.</summary>
public sealed record TrainedModel(IRatingModel Model, IReadOnlyList<EpochRecord> Curve, int BestEpoch, JsonObject Hyperparameters);
