namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The hidden truth behind every rating: a latent score
/// s = b_u + b_i + p_u·q_i + w·Σ_h (relu(A_uh + C_ih) − E relu) + α_u·(t − t̄_u) + ε.
/// Biases and the low-rank part are what matrix factorization can learn; the ReLU part is not low-rank and rewards
/// richer models; the drift rewards time-aware ones; ε is the irreducible noise. The variance budget below keeps the
/// total near 1, with the shares chosen so that noise dominates as in the Prize (best RMSE ≈ 0.86 of a 1.09 spread).
/// </summary>
internal sealed class LatentModel
{
    private const double UserBiasSd = 0.40;
    private const double MovieBiasSd = 0.32;
    private const double PopularityBiasCorrelation = 0.4;
    private const double LowRankVariance = 0.14;
    private const double HiddenVariance = 0.12;
    private const double DriftSdPerYear = 0.30;

    /// <summary>Standard deviation of ε, the noise no model can explain.</summary>
    public const double NoiseSd = 0.68;

    // For X ~ N(0, 2): E relu(X) = 1/√π and Var relu(X) = 1 − 1/π.
    private static readonly double ReluMean = 1 / Math.Sqrt(Math.PI);
    private static readonly double ReluVariance = 1 - (1 / Math.PI);

    // One row per user, [bias, drift, center, p_u…, A_u…], and per movie, [bias, q_i…, C_i…]: scoring a rating then
    // touches one or two cache lines per side instead of one per parameter array.
    private const int UserHeader = 3;
    private const int MovieHeader = 1;

    private readonly int _rank;
    private readonly int _width;
    private readonly int _userStride;
    private readonly int _movieStride;
    private readonly double _hiddenWeight;
    private readonly float[] _users;
    private readonly float[] _movies;

    private LatentModel(GeneratorOptions options, Population population)
    {
        _rank = options.LatentRank;
        _width = options.HiddenWidth;
        _userStride = UserHeader + _rank + _width;
        _movieStride = MovieHeader + _rank + _width;
        _hiddenWeight = _width == 0 ? 0 : Math.Sqrt(HiddenVariance / (_width * ReluVariance));
        _users = new float[(long)population.Users * _userStride];
        _movies = new float[(long)population.Movies * _movieStride];

        // Factor k carries weight ∝ 1/(k+1): a few strong tastes and many faint ones, like real rating matrices.
        double[] factorScale = new double[_rank];
        double harmonic = 0;
        for (int k = 0; k < _rank; k++)
        {
            harmonic += 1.0 / (k + 1);
        }

        for (int k = 0; k < _rank; k++)
        {
            factorScale[k] = Math.Sqrt(LowRankVariance / (harmonic * (k + 1)));
        }

        var userRng = Rng.Create(options.Seed, RngStream.Users, 1);
        for (int u = 0; u < population.Users; u++)
        {
            Span<float> row = _users.AsSpan(u * _userStride, _userStride);
            row[0] = (float)(UserBiasSd * userRng.NextGaussian());
            row[1] = (float)(DriftSdPerYear * userRng.NextGaussian());
            row[2] = (population.JoinDays[u] + SyntheticCalendar.End) / 2f;
            FillGaussian(ref userRng, row[UserHeader..]);
        }

        var movieRng = Rng.Create(options.Seed, RngStream.Movies, 1);
        double independent = Math.Sqrt(1 - (PopularityBiasCorrelation * PopularityBiasCorrelation));
        for (int i = 0; i < population.Movies; i++)
        {
            Span<float> row = _movies.AsSpan(i * _movieStride, _movieStride);
            double z = (PopularityBiasCorrelation * population.PopularityScores[i]) + (independent * movieRng.NextGaussian());
            row[0] = (float)(MovieBiasSd * z);
            for (int k = 0; k < _rank; k++)
            {
                row[MovieHeader + k] = (float)(factorScale[k] * movieRng.NextGaussian());
            }

            FillGaussian(ref movieRng, row[(MovieHeader + _rank)..]);
        }
    }

    public static LatentModel Create(GeneratorOptions options, Population population) => new(options, population);

    /// <summary>The standard deviation of <see cref="Affinity"/> over random user–movie pairs.</summary>
    public static double AffinitySd { get; } = Math.Sqrt(LowRankVariance + HiddenVariance);

    /// <summary>The score without noise for user index u, movie index i (0-based) on a day.</summary>
    public double Score(int u, int i, short day)
    {
        ReadOnlySpan<float> user = _users.AsSpan(u * _userStride, _userStride);
        double drift = user[1] * SyntheticCalendar.Years(user[2], day);
        return user[0] + _movies[i * _movieStride] + Affinity(u, i) + drift;
    }

    /// <summary>
    /// The taste part of the score (low-rank plus hidden, no biases or drift): how much this user likes this movie
    /// beyond how generous the user and how good the movie are. It also decides who chooses to watch what.
    /// </summary>
    public double Affinity(int u, int i)
    {
        ReadOnlySpan<float> user = _users.AsSpan(u * _userStride, _userStride);
        ReadOnlySpan<float> movie = _movies.AsSpan(i * _movieStride, _movieStride);
        ReadOnlySpan<float> p = user.Slice(UserHeader, _rank);
        ReadOnlySpan<float> q = movie.Slice(MovieHeader, _rank);
        double dot = 0;
        for (int k = 0; k < p.Length; k++)
        {
            dot += (double)p[k] * q[k];
        }

        double hidden = 0;
        ReadOnlySpan<float> a = user[(UserHeader + _rank)..];
        ReadOnlySpan<float> c = movie[(MovieHeader + _rank)..];
        for (int h = 0; h < a.Length; h++)
        {
            hidden += Math.Max(0f, a[h] + c[h]) - ReluMean;
        }

        return dot + (_hiddenWeight * hidden);
    }

    private static void FillGaussian(ref Rng rng, Span<float> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = (float)rng.NextGaussian();
        }
    }
}
