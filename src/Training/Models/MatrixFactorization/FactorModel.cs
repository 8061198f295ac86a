using System.Numerics.Tensors;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// r̂(u, i) = μ + b_u + b_i + p_u·q_i — the scoring form every matrix factorization model here reduces to: the bias
/// baseline (no factors), biased MF by SGD or ALS, NMF (non-negative factors, biases may be zero) and SVD++ (whose
/// implicit-feedback term is folded into p_u once training ends, since each user's rated set is fixed).
/// Factors are row-major float32: <c>UserFactors[u * Factors + f]</c>.
/// </summary>
public sealed record FactorModel(
    string Name,
    string Family,
    float GlobalMean,
    ReadOnlyMemory<float> UserBias,
    ReadOnlyMemory<float> MovieBias,
    int Factors,
    ReadOnlyMemory<float> UserFactors,
    ReadOnlyMemory<float> MovieFactors) : IRatingModel
{
    public int Users => UserBias.Length;

    public int Movies => MovieBias.Length;

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Vector("global_mean", new[] { GlobalMean }),
        NamedTensor.Vector("user_bias", UserBias),
        NamedTensor.Vector("movie_bias", MovieBias),
        NamedTensor.Matrix("user_factors", Users, Factors, UserFactors),
        NamedTensor.Matrix("movie_factors", Movies, Factors, MovieFactors),
    ];

    public static FactorModel FromTensors(string name, string family, IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor userFactors = SafeTensors.Require(tensors, "user_factors", path);
        var model = new FactorModel(name, family,
            SafeTensors.Require(tensors, "global_mean", path).Data.Span[0],
            SafeTensors.Require(tensors, "user_bias", path).Data,
            SafeTensors.Require(tensors, "movie_bias", path).Data,
            userFactors.Shape.Count == 2 ? userFactors.Shape[1] : throw new InvalidDataException($"{path}: user_factors must be a matrix"),
            userFactors.Data,
            SafeTensors.Require(tensors, "movie_factors", path).Data);
        model.Validate(path);
        return model;
    }

    /// <summary>Checks that the arrays agree with each other; a mismatch names the source.</summary>
    public void Validate(string source)
    {
        if (UserFactors.Length != (long)Users * Factors || MovieFactors.Length != (long)Movies * Factors)
        {
            throw new InvalidDataException($"{source}: factor matrices ({UserFactors.Length}, {MovieFactors.Length} values) do not match {Users} users, {Movies} movies × {Factors} factors");
        }
    }

    public float Predict(int user, int movie)
    {
        float dot = Factors == 0 ? 0f : TensorPrimitives.Dot(UserFactors.Span.Slice(user * Factors, Factors), MovieFactors.Span.Slice(movie * Factors, Factors));
        return GlobalMean + UserBias.Span[user] + MovieBias.Span[movie] + dot;
    }

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = Predict(users[i], movies[i]);
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        ReadOnlySpan<float> movieBias = MovieBias.Span;
        ReadOnlySpan<float> q = MovieFactors.Span;
        for (int i = 0; i < users.Length; i++)
        {
            int user = users[i];
            Span<float> row = scores.Slice(i * Movies, Movies);
            float userPart = GlobalMean + UserBias.Span[user];
            if (Factors == 0)
            {
                TensorPrimitives.Add(movieBias, userPart, row);
                continue;
            }

            ReadOnlySpan<float> p = UserFactors.Span.Slice(user * Factors, Factors);
            for (int m = 0; m < row.Length; m++)
            {
                row[m] = userPart + movieBias[m] + TensorPrimitives.Dot(p, q.Slice(m * Factors, Factors));
            }
        }
    }
}
