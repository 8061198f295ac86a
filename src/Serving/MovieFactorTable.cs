using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// The movie side of a factor model's graph (global mean, movie biases, movie factors Q), read from its initializers:
/// what folding in a new person and finding similar movies need, outside the graph (which only knows trained users).
/// </summary>
public sealed class MovieFactorTable
{
    private const string GlobalMean = "global_mean";
    private const string MovieBias = "movie_bias";
    private const string MovieFactors = "movie_factors";

    // The per-movie scale of int8 movie factors (export --weights int8): factor = q · scale[movie].
    private const string MovieFactorScale = "movie_factors_scale";
    private static readonly HashSet<string> Names = [GlobalMean, MovieBias, MovieFactors, MovieFactorScale];

    private readonly float[] _factors;
    private readonly float[] _unitFactors;

    private MovieFactorTable(float globalMean, float[] movieBias, float[] factors, int factorCount, double factorRegularization, double biasRegularization)
    {
        Mean = globalMean;
        Bias = movieBias;
        _factors = factors;
        FactorCount = factorCount;
        FactorRegularization = factorRegularization;
        BiasRegularization = biasRegularization;
        int movies = movieBias.Length;
        _unitFactors = new float[factors.Length];
        for (int j = 0; j < movies && factorCount > 0; j++)
        {
            ReadOnlySpan<float> row = factors.AsSpan(j * factorCount, factorCount);
            float norm = TensorPrimitives.Norm(row);
            // A zero vector has no direction: it stays zero (cosine 0 with everything).
            if (norm > 0)
            {
                TensorPrimitives.Divide(row, norm, _unitFactors.AsSpan(j * factorCount, factorCount));
            }
        }
    }

    public float Mean { get; }
    public float[] Bias { get; }
    public int FactorCount { get; }

    /// <summary>Per-rating L2 weights of the fold-in (the model's training regularization when the manifest has it).</summary>
    public double FactorRegularization { get; }
    public double BiasRegularization { get; }

    public int MovieCount => Bias.Length;

    /// <summary>The table of a graph with global_mean, movie_bias (and movie_factors when it has factors), else null.</summary>
    public static MovieFactorTable? From(ReadOnlySpan<byte> graph, ModelManifest manifest)
    {
        IReadOnlyDictionary<string, (long[] Dims, float[] Values, bool Int8)> found = OnnxInitializers.ReadFloat(graph, Names);
        if (!found.TryGetValue(GlobalMean, out var mean) || mean.Values.Length != 1
            || !found.TryGetValue(MovieBias, out var bias) || bias.Values.Length != manifest.Movies)
        {
            return null;
        }

        float[] factors = [];
        int factorCount = 0;
        if (found.TryGetValue(MovieFactors, out var q))
        {
            if (q.Dims.Length != 2 || q.Dims[0] != manifest.Movies || q.Values.Length != q.Dims[0] * q.Dims[1])
            {
                return null;
            }

            factors = q.Values;
            factorCount = (int)q.Dims[1];
            if (q.Int8)
            {
                // int8 factors mean nothing without their per-movie scale.
                if (!found.TryGetValue(MovieFactorScale, out var scale) || scale.Values.Length != manifest.Movies)
                {
                    return null;
                }

                for (int i = 0; i < factors.Length; i++)
                {
                    factors[i] *= scale.Values[i / factorCount];
                }
            }
        }

        return new MovieFactorTable(mean.Values[0], bias.Values, factors, factorCount,
            Hyperparameter(manifest.Hyperparameters, "regularization_factors", 0.05), Hyperparameter(manifest.Hyperparameters, "regularization_bias", 0.02));
    }

    public ReadOnlySpan<float> Factors(int movie) => _factors.AsSpan(movie * FactorCount, FactorCount);

    /// <summary>
    /// Folds a new person in: the factors p and bias b minimizing Σ (r − μ − b_i − b − p·q_i)² + n·(λ_f‖p‖² + λ_b b²)
    /// over their ratings (n of them; the per-rating weights are what SGD training applies per rating), solved in closed
    /// form by Cholesky on the (f+1)×(f+1) normal equations. Returns [p…, b].
    /// </summary>
    public float[] FoldIn(ReadOnlySpan<short> movies, ReadOnlySpan<byte> stars, CancellationToken cancellationToken = default)
    {
        int f = FactorCount;
        int d = f + 1;
        var a = new double[d * d];
        var rhs = new double[d];
        var z = new double[d];
        for (int i = 0; i < movies.Length; i++)
        {
            // A request may carry thousands of ratings at (f+1)²/2 multiply-adds each: a call that left stops here.
            if ((i & 1023) == 1023)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            ReadOnlySpan<float> q = Factors(movies[i]);
            for (int x = 0; x < f; x++)
            {
                z[x] = q[x];
            }

            z[f] = 1;
            double target = stars[i] - Mean - Bias[movies[i]];
            for (int x = 0; x < d; x++)
            {
                rhs[x] += z[x] * target;
                for (int y = 0; y <= x; y++)
                {
                    a[x * d + y] += z[x] * z[y];
                }
            }
        }

        int n = movies.Length;
        for (int x = 0; x < d; x++)
        {
            a[x * d + x] += n * (x < f ? FactorRegularization : BiasRegularization) + 1e-9;
        }

        double[] solution = CholeskySolve(a, rhs, d);
        return Array.ConvertAll(solution, v => (float)v);
    }

    /// <summary>μ + b + b_i + p·q_i for every movie i, with <paramref name="user"/> = [p…, b] from <see cref="FoldIn"/>.</summary>
    public void ScoreAll(ReadOnlySpan<float> user, Span<float> scores)
    {
        float userPart = Mean + user[FactorCount];
        for (int j = 0; j < MovieCount; j++)
        {
            scores[j] = Score(user, j, userPart);
        }
    }

    public float Score(ReadOnlySpan<float> user, int movie) => Score(user, movie, Mean + user[FactorCount]);

    /// <summary>Cosine similarity of <paramref name="movie"/>'s factors with every movie's (0 for zero vectors).</summary>
    public void Cosines(int movie, Span<float> similarities)
    {
        ReadOnlySpan<float> unit = _unitFactors.AsSpan(movie * FactorCount, FactorCount);
        for (int j = 0; j < MovieCount; j++)
        {
            similarities[j] = TensorPrimitives.Dot(unit, _unitFactors.AsSpan(j * FactorCount, FactorCount));
        }
    }

    private float Score(ReadOnlySpan<float> user, int movie, float userPart) =>
        userPart + Bias[movie] + (FactorCount == 0 ? 0f : TensorPrimitives.Dot(user[..FactorCount], Factors(movie)));

    /// <summary>Solves A x = b for symmetric positive definite A (lower triangle filled, row-major d×d).</summary>
    private static double[] CholeskySolve(double[] a, double[] b, int d)
    {
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * d + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i * d + k] * l[j * d + k];
                }

                l[i * d + j] = i == j ? Math.Sqrt(sum) : sum / l[j * d + j];
            }
        }

        var y = new double[d];
        for (int i = 0; i < d; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i * d + k] * y[k];
            }

            y[i] = sum / l[i * d + i];
        }

        var x = new double[d];
        for (int i = d - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < d; k++)
            {
                sum -= l[k * d + i] * x[k];
            }

            x[i] = sum / l[i * d + i];
        }

        return x;
    }

    private static double Hyperparameter(JsonObject hyperparameters, string key, double fallback) =>
        hyperparameters.TryGetPropertyValue(key, out JsonNode? node) && node is JsonValue value && value.TryGetValue(out double d) && d >= 0 ? d : fallback;
}
