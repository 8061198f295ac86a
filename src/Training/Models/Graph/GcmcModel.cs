using System.Buffers;
using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// A trained GC-MC: final user and movie embeddings (encoder output, computed once after training) and the bilinear
/// decoder with basis sharing. For rating level k (k = 1..R stars): logit_k = Σ_b a_kb · u^T P_b v, p = softmax(logit),
/// r̂ = Σ_k k·p_k. Tensors (all Gather/MatMul/Softmax-friendly for export): <c>user_embeddings</c> [users, d],
/// <c>movie_embeddings</c> [movies, d], <c>decoder_bases</c> [B, d, d] (P_b), <c>decoder_coefficients</c> [R, B]
/// (a_kb), <c>rating_levels</c> [R] (the stars 1..R the expectation weighs).
/// </summary>
public sealed class GcmcModel : IRatingModel
{
    public const string UserEmbeddings = "user_embeddings";
    public const string MovieEmbeddings = "movie_embeddings";
    public const string DecoderBases = "decoder_bases";
    public const string DecoderCoefficients = "decoder_coefficients";
    public const string RatingLevels = "rating_levels";

    // Ratings ahead whose user rows Predict asks for.
    private const int PrefetchDistance = 8;

    private readonly ReadOnlyMemory<float> _users;
    private readonly ReadOnlyMemory<float> _bases;
    private readonly ReadOnlyMemory<float> _coefficients;

    // One dot-product model per basis: user factors u^T P_b (precomputed), movie factors v; FactorModel's SIMD kernel
    // then gives every basis score of a user against all movies in one blocked pass.
    private readonly FactorModel[] _basisScores;

    public GcmcModel(int factors, int bases, int levels, ReadOnlyMemory<float> userEmbeddings, ReadOnlyMemory<float> movieEmbeddings,
        ReadOnlyMemory<float> decoderBases, ReadOnlyMemory<float> decoderCoefficients)
    {
        if (factors < 1 || bases < 1 || levels < 2 || userEmbeddings.Length % factors != 0 || movieEmbeddings.Length % factors != 0
            || decoderBases.Length != bases * factors * factors || decoderCoefficients.Length != levels * bases)
        {
            throw new ArgumentException($"gcmc: arrays do not fit d={factors}, {bases} bases, {levels} levels");
        }

        Factors = factors;
        Bases = bases;
        Levels = levels;
        _users = userEmbeddings;
        _bases = decoderBases;
        _coefficients = decoderCoefficients;
        int users = userEmbeddings.Length / factors, movies = movieEmbeddings.Length / factors;
        var zeroUsers = new float[users];
        var zeroMovies = new float[movies];
        _basisScores = new FactorModel[bases];
        for (int b = 0; b < bases; b++)
        {
            _basisScores[b] = new FactorModel(Gcmc.Name, ModelFamily.Graph, 0f, zeroUsers, zeroMovies, factors,
                Project(userEmbeddings.Span, decoderBases.Span.Slice(b * factors * factors, factors * factors), factors), movieEmbeddings);
        }
    }

    public string Name => Gcmc.Name;

    public string Family => ModelFamily.Graph;

    public int Users => _users.Length / Factors;

    public int Movies => _basisScores[0].Movies;

    public int Factors { get; }

    public int Bases { get; }

    public int Levels { get; }

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Matrix(UserEmbeddings, Users, Factors, _users),
        NamedTensor.Matrix(MovieEmbeddings, Movies, Factors, _basisScores[0].MovieFactors),
        new NamedTensor(DecoderBases, [Bases, Factors, Factors], _bases),
        NamedTensor.Matrix(DecoderCoefficients, Levels, Bases, _coefficients),
        NamedTensor.Vector(RatingLevels, Enumerable.Range(1, Levels).Select(k => (float)k).ToArray()),
    ];

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        Span<float> basis = stackalloc float[Bases];
        Span<float> logits = stackalloc float[Levels];
        ReadOnlySpan<float> a = _coefficients.Span;
        for (int i = 0; i < users.Length; i++)
        {
            // Each basis's user rows, a few ratings ahead (two tables of 61 MB at Netflix size: FactorModel.PrefetchUser).
            if (i + PrefetchDistance < users.Length)
            {
                for (int b = 0; b < Bases; b++)
                {
                    _basisScores[b].PrefetchUser(users[i + PrefetchDistance]);
                }
            }

            for (int b = 0; b < Bases; b++)
            {
                basis[b] = _basisScores[b].Predict(users[i], movies[i]);
            }

            float max = float.NegativeInfinity;
            for (int k = 0; k < Levels; k++)
            {
                logits[k] = TensorPrimitives.Dot(a.Slice(k * Bases, Bases), basis);
                max = Math.Max(max, logits[k]);
            }

            float numerator = 0f, denominator = 0f;
            for (int k = 0; k < Levels; k++)
            {
                float e = MathF.Exp(logits[k] - max);
                numerator += (k + 1) * e;
                denominator += e;
            }

            predictions[i] = numerator / denominator;
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        int movies = Movies;
        if (scores.Length < (long)users.Length * movies)
        {
            throw new ArgumentException($"{scores.Length} scores cannot hold {users.Length} users × {movies} movies", nameof(scores));
        }

        long block = (long)users.Length * movies;
        float[] basis = ArrayPool<float>.Shared.Rent((int)(block * Bases));
        float[] work = ArrayPool<float>.Shared.Rent(movies * (Levels + 2));
        try
        {
            for (int b = 0; b < Bases; b++)
            {
                _basisScores[b].ScoreAll(users, basis.AsSpan((int)(b * block), (int)block));
            }

            ReadOnlySpan<float> a = _coefficients.Span;
            for (int i = 0; i < users.Length; i++)
            {
                // Row-wise softmax expectation over the levels, vectorized across movies.
                Span<float> max = work.AsSpan(Levels * movies, movies);
                Span<float> denominator = work.AsSpan((Levels + 1) * movies, movies);
                Span<float> row = scores.Slice(i * movies, movies);
                for (int k = 0; k < Levels; k++)
                {
                    Span<float> logit = work.AsSpan(k * movies, movies);
                    TensorPrimitives.Multiply(basis.AsSpan(i * movies, movies), a[k * Bases], logit);
                    for (int b = 1; b < Bases; b++)
                    {
                        TensorPrimitives.MultiplyAdd(basis.AsSpan((int)((b * block) + (i * movies)), movies), a[(k * Bases) + b], logit, logit);
                    }

                    if (k == 0)
                    {
                        logit.CopyTo(max);
                    }
                    else
                    {
                        TensorPrimitives.Max(max, logit, max);
                    }
                }

                row.Clear();
                denominator.Clear();
                for (int k = 0; k < Levels; k++)
                {
                    Span<float> logit = work.AsSpan(k * movies, movies);
                    TensorPrimitives.Subtract(logit, max, logit);
                    TensorPrimitives.Exp(logit, logit);
                    TensorPrimitives.Add(denominator, logit, denominator);
                    TensorPrimitives.MultiplyAdd(logit, k + 1, row, row);
                }

                TensorPrimitives.Divide(row, denominator, row);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(basis);
            ArrayPool<float>.Shared.Return(work);
        }
    }

    public static GcmcModel FromTensors(IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor users = SafeTensors.Require(tensors, UserEmbeddings, path);
        NamedTensor movies = SafeTensors.Require(tensors, MovieEmbeddings, path);
        NamedTensor bases = SafeTensors.Require(tensors, DecoderBases, path);
        NamedTensor coefficients = SafeTensors.Require(tensors, DecoderCoefficients, path);
        if (users.Shape.Count != 2 || movies.Shape.Count != 2 || bases.Shape.Count != 3 || coefficients.Shape.Count != 2
            || users.Shape[1] != movies.Shape[1] || bases.Shape[1] != users.Shape[1] || bases.Shape[2] != users.Shape[1] || coefficients.Shape[1] != bases.Shape[0])
        {
            throw new InvalidDataException($"{path}: gcmc tensors have inconsistent shapes");
        }

        return new GcmcModel(users.Shape[1], bases.Shape[0], coefficients.Shape[0], users.Data, movies.Data, bases.Data, coefficients.Data);
    }

    // u^T P for every user: [users, d] × [d, d].
    private static float[] Project(ReadOnlySpan<float> users, ReadOnlySpan<float> basis, int d)
    {
        int count = users.Length / d;
        var projected = new float[users.Length];
        for (int u = 0; u < count; u++)
        {
            ReadOnlySpan<float> x = users.Slice(u * d, d);
            Span<float> y = projected.AsSpan(u * d, d);
            for (int f = 0; f < d; f++)
            {
                TensorPrimitives.MultiplyAdd(basis.Slice(f * d, d), x[f], y, y);
            }
        }

        return projected;
    }
}
