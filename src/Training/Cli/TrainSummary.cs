using System.Text.Json.Serialization;

namespace NetflixRec.Training.Cli;

/// <summary>What <c>netflixrec train</c> did: typed in the program, the JSON field names only at the edge (<c>--json</c>).</summary>
internal sealed record TrainSummary(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("best_epoch")] int BestEpoch,
    [property: JsonPropertyName("validation_rmse")] double? ValidationRmse,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("out")] string Out);
