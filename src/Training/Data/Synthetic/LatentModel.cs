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

    private readonly int _rank;
    private readonly int _width;
    private readonly double _hiddenWeight;
    private readonly float[] _userBias;
    private readonly float[] _userFactors;
    private readonly float[] _userHidden;
    private readonly float[] _userDrift;
    private readonly float[] _userCenter;
    private readonly float[] _movieBias;
    private readonly float[] _movieFactors;
    private readonly float[] _movieHidden;

    private LatentModel(GeneratorOptions options, Population population)
    {
        _rank = options.LatentRank;
        _width = options.HiddenWidth;
        _hiddenWeight = _width == 0 ? 0 : Math.Sqrt(HiddenVariance / (_width * ReluVariance));
        int users = population.Users;
        int movies = population.Movies;
        _userBias = new float[users];
        _userFactors = new float[users * _rank];
        _userHidden = new float[users * _width];
        _userDrift = new float[users];
        _userCenter = new float[users];
        _movieBias = new float[movies];
        _movieFactors = new float[movies * _rank];
        _movieHidden = new float[movies * _width];

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
        for (int u = 0; u < users; u++)
        {
            _userBias[u] = (float)(UserBiasSd * userRng.NextGaussian());
            _userDrift[u] = (float)(DriftSdPerYear * userRng.NextGaussian());
            _userCenter[u] = (population.JoinDays[u] + SyntheticCalendar.End) / 2f;
            FillGaussian(ref userRng, _userFactors.AsSpan(u * _rank, _rank));
            FillGaussian(ref userRng, _userHidden.AsSpan(u * _width, _width));
        }

        var movieRng = Rng.Create(options.Seed, RngStream.Movies, 1);
        double independent = Math.Sqrt(1 - (PopularityBiasCorrelation * PopularityBiasCorrelation));
        for (int i = 0; i < movies; i++)
        {
            double z = (PopularityBiasCorrelation * population.PopularityScores[i]) + (independent * movieRng.NextGaussian());
            _movieBias[i] = (float)(MovieBiasSd * z);
            Span<float> factors = _movieFactors.AsSpan(i * _rank, _rank);
            for (int k = 0; k < _rank; k++)
            {
                factors[k] = (float)(factorScale[k] * movieRng.NextGaussian());
            }

            FillGaussian(ref movieRng, _movieHidden.AsSpan(i * _width, _width));
        }
    }

    public static LatentModel Create(GeneratorOptions options, Population population) => new(options, population);

    /// <summary>The score without noise for user index u, movie index i (0-based) on a day.</summary>
    public double Score(int u, int i, short day)
    {
        double s = _userBias[u] + _movieBias[i];
        ReadOnlySpan<float> p = _userFactors.AsSpan(u * _rank, _rank);
        ReadOnlySpan<float> q = _movieFactors.AsSpan(i * _rank, _rank);
        double dot = 0;
        for (int k = 0; k < p.Length; k++)
        {
            dot += (double)p[k] * q[k];
        }

        double hidden = 0;
        if (_width > 0)
        {
            ReadOnlySpan<float> a = _userHidden.AsSpan(u * _width, _width);
            ReadOnlySpan<float> c = _movieHidden.AsSpan(i * _width, _width);
            for (int h = 0; h < a.Length; h++)
            {
                hidden += Math.Max(0f, a[h] + c[h]) - ReluMean;
            }
        }

        double drift = _userDrift[u] * SyntheticCalendar.Years(_userCenter[u], day);
        return s + dot + (_hiddenWeight * hidden) + drift;
    }

    private static void FillGaussian(ref Rng rng, Span<float> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = (float)rng.NextGaussian();
        }
    }
}
