using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// A trained GraphSAGE-style model: the final-layer representations h_u and h_m of every user and movie, computed once
/// after training with full-neighborhood mean aggregation, and r̂ = 1 + 4·σ(h_u·h_m + b_u + b_m + c) — the seed's
/// "function of h_u·h_i scaled to the rating range". Tensors: <c>user_embeddings</c> [users, d], <c>movie_embeddings</c>
/// [movies, d], <c>user_bias</c>, <c>movie_bias</c>, <c>global_bias</c> [1], <c>rating_offset_scale</c> [1, 4]
/// (r̂ = offset + scale·σ(·): Gather, MatMul, Add, Sigmoid, Mul, Add).
/// </summary>
public sealed class SageModel : IRatingModel
{
    public const string UserEmbeddings = "user_embeddings";
    public const string MovieEmbeddings = "movie_embeddings";
    public const string UserBias = "user_bias";
    public const string MovieBias = "movie_bias";
    public const string GlobalBias = "global_bias";
    public const string RatingOffsetScale = "rating_offset_scale";

    public const float Offset = 1f;
    public const float Scale = 4f;

    // The logit h_u·h_m + b_u + b_m + c is exactly FactorModel's form; its SIMD kernel scores all movies.
    private readonly FactorModel _logit;

    public SageModel(int factors, ReadOnlyMemory<float> userEmbeddings, ReadOnlyMemory<float> movieEmbeddings,
        ReadOnlyMemory<float> userBias, ReadOnlyMemory<float> movieBias, float globalBias)
    {
        _logit = new FactorModel(Sage.Name, ModelFamily.Graph, globalBias, userBias, movieBias, factors, userEmbeddings, movieEmbeddings);
        _logit.Validate(Sage.Name);
    }

    public string Name => Sage.Name;

    public string Family => ModelFamily.Graph;

    public int Users => _logit.Users;

    public int Movies => _logit.Movies;

    public int Factors => _logit.Factors;

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Matrix(UserEmbeddings, Users, Factors, _logit.UserFactors),
        NamedTensor.Matrix(MovieEmbeddings, Movies, Factors, _logit.MovieFactors),
        NamedTensor.Vector(UserBias, _logit.UserBias),
        NamedTensor.Vector(MovieBias, _logit.MovieBias),
        NamedTensor.Vector(GlobalBias, new[] { _logit.GlobalMean }),
        NamedTensor.Vector(RatingOffsetScale, new[] { Offset, Scale }),
    ];

    public static float Stars(float logit) => Offset + (Scale / (1f + MathF.Exp(-logit)));

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        // The logits first (FactorModel's loop asks for the users' rows ahead), then each mapped to stars in place.
        _logit.Predict(users, movies, predictions);
        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = Stars(predictions[i]);
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        _logit.ScoreAll(users, scores);
        Span<float> used = scores[..(users.Length * Movies)];
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(used, used);
        System.Numerics.Tensors.TensorPrimitives.Multiply(used, Scale, used);
        System.Numerics.Tensors.TensorPrimitives.Add(used, Offset, used);
    }

    public static SageModel FromTensors(IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor users = SafeTensors.Require(tensors, UserEmbeddings, path);
        NamedTensor movies = SafeTensors.Require(tensors, MovieEmbeddings, path);
        if (users.Shape.Count != 2 || movies.Shape.Count != 2 || users.Shape[1] != movies.Shape[1])
        {
            throw new InvalidDataException($"{path}: sage needs {UserEmbeddings} [users, d] and {MovieEmbeddings} [movies, d]");
        }

        try
        {
            return new SageModel(users.Shape[1], users.Data, movies.Data, SafeTensors.Require(tensors, UserBias, path).Data,
                SafeTensors.Require(tensors, MovieBias, path).Data, SafeTensors.RequireScalar(tensors, GlobalBias, path));
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
