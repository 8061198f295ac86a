namespace NetflixRec.Contracts;

/// <summary>
/// The files of a model directory. <c>train</c> writes the manifest, the weights and (for models that read a user's
/// ratings) the history; <c>export</c> adds the ONNX graph and what serving needs to speak Netflix IDs, so the directory
/// is self-contained for the server.
/// </summary>
public static class ModelDirectory
{
    public const string Manifest = "manifest.json";
    public const string Weights = "weights.safetensors";
    public const string Onnx = "model.onnx";

    /// <summary>Every training rating by user (see the Training project's UserHistory): model input and the rated-movie exclusion.</summary>
    public const string History = "history.arrow";

    /// <summary>Copies of the dataset's ID maps and titles (<see cref="DatasetSchema.Users"/>, <see cref="DatasetSchema.Movies"/>, <see cref="DatasetSchema.Titles"/>).</summary>
    public const string Users = "users.arrow";
    public const string Movies = "movies.arrow";
    public const string Titles = "titles.arrow";
}
