using System.Globalization;

namespace NetflixRec.Contracts;

/// <summary>One fact a graph's metadata repeats from its manifest: the metadata key, the manifest field, and its value.</summary>
public sealed record OnnxMetadataFact(string Key, string ManifestField, string Expected);

/// <summary>
/// The fixed signature of every model.onnx that <c>netflixrec export</c> writes, whatever the model kind, so that the
/// server scores all of them with one code path.
/// <list type="bullet">
/// <item>Inputs: <see cref="UserIndex"/> int64 [batch] (when the manifest's UserInput is <see cref="IndexInput"/>) or
/// <see cref="UserRatings"/> float [batch, movies] (<see cref="RatingVectorInput"/>: stars 1–5, 0 = unrated), plus
/// <see cref="PairRow"/> and <see cref="PairMovie"/> int64 [pairs]: pair p is movie PairMovie[p] for batch row PairRow[p].</item>
/// <item>Outputs: <see cref="Scores"/> float [batch, movies] (every movie for each batch row) and
/// <see cref="PairScores"/> float [pairs]. Scores are raw (unclipped). Top-k is the server's job (no TopK node).</item>
/// <item>Feed every input, zero-length where unused (pairs for a top-k request), and fetch the output needed. ONNX Runtime
/// runs the whole graph, so the unused branch must be empty to cost nothing; a pair_scores request for one customer is
/// a batch of one row plus its pairs (the scores row it also computes is one row of the product).</item>
/// <item>Time-aware models (<c>time-bias</c>, <c>timesvdpp</c>) take one more input, <see cref="Day"/> int64 [batch]: the
/// day each batch row is scored for, as days since 1970-01-01 (the dataset's day numbers). A server passes the request's
/// date, or a negative number for "no date": the customer's latest training day, as the model predicts without a day. The
/// graph lists it after the pair inputs, and the manifest's signature lists it too; graphs of other models are unchanged.
/// A day the customer never rated on in training gets the drift terms only.</item>
/// <item>Indices are the dataset's dense indices: row i of users.arrow is the CustomerID of user i, row i of movies.arrow
/// the MovieID of movie i.</item>
/// </list>
/// The graph's metadata (<see cref="MetadataUsers"/>, …) repeats the manifest's facts so a loader can check that
/// model.onnx belongs to the manifest beside it (ONNX Runtime exposes it as ModelMetadata.CustomMetadataMap).
/// </summary>
public static class OnnxContract
{
    public const long IrVersion = 8;
    public const long Opset = 17;

    public const string UserIndex = "user_index";
    public const string UserRatings = "user_ratings";
    public const string PairRow = "pair_row";
    public const string PairMovie = "pair_movie";

    /// <summary>Optional input of time-aware graphs: int64 [batch], days since 1970-01-01; negative = the customer's latest training day.</summary>
    public const string Day = "day";
    public const string Scores = "scores";
    public const string PairScores = "pair_scores";

    /// <summary>The symbolic names of the dynamic dimensions.</summary>
    public const string BatchDim = "batch";
    public const string PairsDim = "pairs";

    /// <summary><see cref="OnnxSignature.UserInput"/> values.</summary>
    public const string IndexInput = "index";
    public const string RatingVectorInput = "rating_vector";

    /// <summary><see cref="OnnxSignature.ScoreKind"/> values.</summary>
    public const string RatingScores = "rating";
    public const string RankingScores = "ranking";

    public const string MetadataModel = "netflixrec.model";
    public const string MetadataFamily = "netflixrec.family";
    public const string MetadataUsers = "netflixrec.users";
    public const string MetadataMovies = "netflixrec.movies";
    public const string MetadataFingerprint = "netflixrec.data_fingerprint";
    public const string MetadataUserInput = "netflixrec.user_input";
    public const string MetadataScoreKind = "netflixrec.score_kind";

    /// <summary>The graph's inputs in contract order: the user input of its kind, the pair inputs, then the day of a
    /// time-aware graph.</summary>
    public static string[] InputNames(bool ratingVector, bool takesDay)
    {
        string user = ratingVector ? UserRatings : UserIndex;
        return takesDay ? [user, PairRow, PairMovie, Day] : [user, PairRow, PairMovie];
    }

    /// <summary>The metadata a graph carries about its manifest (what a loader compares before trusting the pair).</summary>
    public static IReadOnlyList<OnnxMetadataFact> MetadataFacts(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        OnnxSignature signature = manifest.Onnx ?? throw new ArgumentException($"model '{manifest.Name}' has no ONNX signature", nameof(manifest));
        return
        [
            new(MetadataModel, "name", manifest.Name),
            new(MetadataUsers, "users", manifest.Users.ToString(CultureInfo.InvariantCulture)),
            new(MetadataMovies, "movies", manifest.Movies.ToString(CultureInfo.InvariantCulture)),
            new(MetadataFingerprint, "data_fingerprint", manifest.DataFingerprint),
            new(MetadataUserInput, "onnx.user_input", signature.UserInput),
            new(MetadataScoreKind, "onnx.score_kind", signature.ScoreKind),
        ];
    }
}
