using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// What serving needs from manifest.json before it reads anything else of the directory: every field it uses present
/// and in range. A manifest is a file anyone can edit; JSON null or a missing field deserializes to null even where the
/// record says otherwise, so each is checked here and reported by name.
/// </summary>
public static class ManifestValidation
{
    /// <summary>The most movies a model can have: movie indices are int16 in the rating schema.</summary>
    public const int MaxMovies = short.MaxValue + 1;

    /// <summary>Throws an <see cref="InvalidDataException"/> naming <paramref name="path"/> and the field at the first problem.</summary>
    public static void Check(ModelManifest manifest, string path)
    {
        // The record's non-nullable types are only a promise of the writer: a hand-edited file can break it.
        Require(manifest.Name, "name", path);
        Require(manifest.Family, "family", path);
        Require(manifest.DataFingerprint, "data_fingerprint", path);
        Require(manifest.Dims, "dims", path);
        Require(manifest.Metrics, "metrics", path);
        if (manifest.Name.Length == 0)
        {
            throw Invalid(path, "name", "is empty");
        }

        if (manifest.Users is < 1 or >= int.MaxValue)
        {
            throw Invalid(path, "users", $"{manifest.Users} is outside 1..{int.MaxValue - 1}");
        }

        if (manifest.Movies is < 1 or > MaxMovies)
        {
            throw Invalid(path, "movies", $"{manifest.Movies} is outside 1..{MaxMovies}");
        }

        if (manifest.Dims.Any(d => d.Key is null || d.Value < 0))
        {
            throw Invalid(path, "dims", "has a negative or unnamed entry");
        }

        if (manifest.Metrics.Any(m => m.Key is null))
        {
            throw Invalid(path, "metrics", "has an unnamed entry");
        }

        OnnxSignature? onnx = manifest.Onnx;
        if (onnx is null)
        {
            throw Invalid(path, "onnx", "is missing; run 'netflixrec export --model DIR'");
        }

        Require(onnx.File, "onnx.file", path);
        Require(onnx.UserInput, "onnx.user_input", path);
        Require(onnx.ScoreKind, "onnx.score_kind", path);
        if (onnx.UserInput is not (OnnxContract.IndexInput or OnnxContract.RatingVectorInput))
        {
            throw Invalid(path, "onnx.user_input", $"'{onnx.UserInput}' is neither {OnnxContract.IndexInput} nor {OnnxContract.RatingVectorInput}");
        }

        if (onnx.ScoreKind is not (OnnxContract.RatingScores or OnnxContract.RankingScores))
        {
            throw Invalid(path, "onnx.score_kind", $"'{onnx.ScoreKind}' is neither {OnnxContract.RatingScores} nor {OnnxContract.RankingScores}");
        }
    }

    private static void Require(object? value, string field, string path)
    {
        if (value is null)
        {
            throw Invalid(path, field, "is missing or null");
        }
    }

    private static InvalidDataException Invalid(string path, string field, string problem) => new($"{path}: {field} {problem}");
}
