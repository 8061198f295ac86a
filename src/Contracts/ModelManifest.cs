using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NetflixRec.Contracts;

/// <summary>One epoch of training: the loss on the training ratings and the RMSE on the validation slice.</summary>
public sealed record EpochRecord(int Epoch, double TrainRmse, double ValidationRmse, double Seconds);

/// <summary>One input or output of an exported graph: name, element type (ONNX spelling: float, int64) and shape
/// (a negative dimension is dynamic).</summary>
public sealed record OnnxTensorInfo(string Name, string ElementType, IReadOnlyList<long> Shape);

/// <summary>
/// What <c>export</c> wrote: the graph's inputs and outputs, IR version and opset, and how a user goes in —
/// <c>"index"</c> (the dense user index, for models with per-user parameters) or <c>"rating_vector"</c> (the user's
/// ratings over all movies, 0 where unrated, for models that encode a user's history). <see cref="ScoreKind"/> says
/// what the scores are (<c>"rating"</c>: predicted stars; <c>"ranking"</c>: only their order means something), and
/// <see cref="Sha256"/> (lowercase hex of the file) lets a loader reject a truncated or altered file before parsing it.
/// The names and checks are in <see cref="OnnxContract"/>. <see cref="Weights"/> is how the factor matrices are stored
/// (<c>fp32</c>, <c>fp16</c> or <c>int8</c>); a reduced layout carries the <see cref="WeightParity"/> it passed at export.
/// </summary>
public sealed record OnnxSignature(string File, long IrVersion, long Opset, string UserInput,
    IReadOnlyList<OnnxTensorInfo> Inputs, IReadOnlyList<OnnxTensorInfo> Outputs, double ExportSeconds, long Bytes,
    string ScoreKind = OnnxContract.RatingScores, string? Sha256 = null, string Weights = "fp32", WeightParity? WeightParity = null);

/// <summary>
/// How a graph with reduced weights (fp16, int8) scores against the fp32 model it came from, over sampled users:
/// the mean and the smallest share of each user's top-10 (over every movie) that both keep, and the largest absolute
/// score difference (full rows and pairs, in score units: stars for rating models). The export refuses a layout whose
/// mean overlap is below <see cref="MinTop10OverlapGate"/> or whose difference is above <see cref="MaxScoreDifferenceGate"/>.
/// </summary>
public sealed record WeightParity(string Weights, int Users, int Pairs, double MeanTop10Overlap, double MinTop10Overlap,
    double MaxScoreDifference, double MaxPairDifference, double MinTop10OverlapGate, double MaxScoreDifferenceGate)
{
    public bool Passed => MeanTop10Overlap >= MinTop10OverlapGate
        && MaxScoreDifference <= MaxScoreDifferenceGate && MaxPairDifference <= MaxScoreDifferenceGate;
}

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
    string CreatedBy,
    string? DataSource = null,
    OnnxSignature? Onnx = null)
{
    public const string FileName = ModelDirectory.Manifest;

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
