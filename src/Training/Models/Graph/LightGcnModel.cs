using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// A trained LightGCN: the final (layer-combined) user and movie embeddings, computed once after training. The ranking
/// score is e_u·e_m (what <see cref="ScoreAll"/> returns). LightGCN is trained for ranking, not for stars, so
/// <see cref="Predict"/> maps the score to stars with an affine calibration a + b·(e_u·e_m) fitted by least squares on
/// a sample of training ratings: its RMSE says how much of the rating the ranking score explains, nothing more.
/// Tensors: <c>user_embeddings</c> [users, k], <c>movie_embeddings</c> [movies, k], <c>calibration</c> [a, b].
/// </summary>
public sealed class LightGcnModel : IRatingModel
{
    public const string UserEmbeddings = "user_embeddings";
    public const string MovieEmbeddings = "movie_embeddings";
    public const string Calibration = "calibration";

    // The dot products with zero biases: FactorModel's blocked SIMD kernel does ScoreAll.
    private readonly FactorModel _dot;

    public LightGcnModel(int factors, ReadOnlyMemory<float> userEmbeddings, ReadOnlyMemory<float> movieEmbeddings, float intercept, float slope)
    {
        int users = userEmbeddings.Length / Math.Max(1, factors), movies = movieEmbeddings.Length / Math.Max(1, factors);
        _dot = new FactorModel(LightGcn.Name, ModelFamily.Graph, 0f, new float[users], new float[movies], factors, userEmbeddings, movieEmbeddings);
        _dot.Validate(LightGcn.Name);
        Intercept = intercept;
        Slope = slope;
    }

    public string Name => LightGcn.Name;

    public string Family => ModelFamily.Graph;

    public int Users => _dot.Users;

    public int Movies => _dot.Movies;

    public int Factors => _dot.Factors;

    public float Intercept { get; }

    public float Slope { get; }

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Matrix(UserEmbeddings, Users, Factors, _dot.UserFactors),
        NamedTensor.Matrix(MovieEmbeddings, Movies, Factors, _dot.MovieFactors),
        NamedTensor.Vector(Calibration, new[] { Intercept, Slope }),
    ];

    /// <summary>The ranking score e_u·e_m.</summary>
    public float Score(int user, int movie) => _dot.Predict(user, movie);

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        // The scores first (FactorModel's loop asks for the users' rows ahead), then each calibrated in place.
        _dot.Predict(users, movies, predictions);
        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = Intercept + (Slope * predictions[i]);
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores) => _dot.ScoreAll(users, scores);

    public static LightGcnModel FromTensors(IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor users = SafeTensors.Require(tensors, UserEmbeddings, path);
        NamedTensor movies = SafeTensors.Require(tensors, MovieEmbeddings, path);
        NamedTensor calibration = SafeTensors.Require(tensors, Calibration, path);
        if (users.Shape.Count != 2 || movies.Shape.Count != 2 || users.Shape[1] != movies.Shape[1] || calibration.Data.Length != 2)
        {
            throw new InvalidDataException($"{path}: lightgcn needs {UserEmbeddings} [users, k], {MovieEmbeddings} [movies, k] and {Calibration} [2]");
        }

        return new LightGcnModel(users.Shape[1], users.Data, movies.Data, calibration.Data.Span[0], calibration.Data.Span[1]);
    }
}
