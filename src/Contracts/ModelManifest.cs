using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NetflixRec.Contracts;

/// <summary>One epoch of training: the loss on the training ratings and the RMSE on the validation slice.</summary>
public sealed record EpochRecord(int Epoch, double TrainRmse, double ValidationRmse, double Seconds);

/// <summary>
/// manifest.json of a model directory: what the model is, how it was trained, on which data (fingerprint), and how
/// it scored. Shared by the trainer, the evaluator, the exporter and the serving process.
/// </summary>
public sealed record ModelManifest(
    string Name,
    string Family,
    int Users,
    int Movies,
    IReadOnlyDictionary<string, long> Dims,
    JsonObject Hyperparameters,
    string DataFingerprint,
    double TrainSeconds,
    int Epochs,
    int BestEpoch,
    IReadOnlyList<EpochRecord> LearningCurve,
    IReadOnlyDictionary<string, double> Metrics,
    long ParameterCount,
    string CreatedBy)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static ModelManifest FromJson(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(json, s_json)
                ?? throw new InvalidDataException($"{path}: empty model manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not a NetflixRec model manifest: {e.Message}", e);
        }
    }
}
