namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The hidden truth behind every rating: a latent score
/// s = b_u + c_u·(b_i + γ_i·ln(1 + age_i(t))) + p_u·q_i + w·Σ_h (relu(A_uh + C_ih) − E relu) + α_u·(t − t̄_u) + m_{u,t} + ε.
/// Biases and the low-rank part are what matrix factorization can learn; the ReLU part is not low-rank and rewards
/// richer models; the time terms reward time-aware ones — the user's drift α_u, the day's mood m_{u,t} (one draw per
/// user and day, shared by the day's ratings), the movie's mean changing with its age in years since it became available
/// (γ_i, rated higher as it ages on average: those who seek out an old movie like it), and each user's scaling c_u of
/// how much movie quality matters to them (Koren 2009's c_u); ε is the irreducible noise. Sizes follow what Koren
/// 2009 measured on the Prize with the bias model: day effects ~0.01 RMSE, movie-age ones a few thousandths. The variance budget below keeps the
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
    private const double MoodSd = 0.18;
    private const double MovieAgeSlopeMean = 0.03;
    private const double MovieAgeSlopeSd = 0.12;
    private const double MovieBiasScaleSd = 0.2;

    /// <summary>Standard deviation of ε, the noise no model can explain (0.68 before the mood took 0.18² of its variance).</summary>
    public const double NoiseSd = 0.655;

    // For X ~ N(0, 2): E relu(X) = 1/√π and Var relu(X) = 1 − 1/π.
    private static readonly double ReluMean = 1 / Math.Sqrt(Math.PI);
    private static readonly double ReluVariance = 1 - (1 / Math.PI);

    // One row per user, [bias, drift, center, movie-bias scale, p_u…, A_u…], and per movie, [bias, age slope, available
    // day, q_i…, C_i…]: scoring a rating then touches one or two cache lines per side instead of one per parameter array.
    private const int UserHeader = 4;
    private const int MovieHeader = 3;

    private readonly int _seed;

    private readonly int _rank;
    private readonly int _width;
    private readonly int _userStride;
    private readonly int _movieStride;
    private readonly double _hiddenWeight;
    private readonly float[] _users;
    private readonly float[] _movies;

    private LatentModel(GeneratorOptions options, Population population)
    {
        _seed = options.Seed;
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

        // The scales come from their own stream, so the other user parameters are those of version 1 for a seed.
        var scaleRng = Rng.Create(options.Seed, RngStream.Users, 2);
        for (int u = 0; u < population.Users; u++)
        {
            _users[(u * _userStride) + 3] = (float)Math.Max(0, 1 + (MovieBiasScaleSd * scaleRng.NextGaussian()));
        }

        var movieRng = Rng.Create(options.Seed, RngStream.Movies, 1);
        double independent = Math.Sqrt(1 - (PopularityBiasCorrelation * PopularityBiasCorrelation));
        for (int i = 0; i < population.Movies; i++)
        {
            Span<float> row = _movies.AsSpan(i * _movieStride, _movieStride);
            double z = (PopularityBiasCorrelation * population.PopularityScores[i]) + (independent * movieRng.NextGaussian());
            row[0] = (float)(MovieBiasSd * z);
            row[2] = population.AvailableDays[i];
            for (int k = 0; k < _rank; k++)
            {
                row[MovieHeader + k] = (float)(factorScale[k] * movieRng.NextGaussian());
            }

            FillGaussian(ref movieRng, row[(MovieHeader + _rank)..]);
        }

        var slopeRng = Rng.Create(options.Seed, RngStream.Movies, 2);
        for (int i = 0; i < population.Movies; i++)
        {
            _movies[(i * _movieStride) + 1] = (float)(MovieAgeSlopeMean + (MovieAgeSlopeSd * slopeRng.NextGaussian()));
        }
    }

    public static LatentModel Create(GeneratorOptions options, Population population) => new(options, population);

    /// <summary>The standard deviation of <see cref="Affinity"/> over random user–movie pairs.</summary>
    public static double AffinitySd { get; } = Math.Sqrt(LowRankVariance + HiddenVariance);

    /// <summary>The score without noise for user index u, movie index i (0-based) on a day.</summary>
    public double Score(int u, int i, short day)
    {
        ReadOnlySpan<float> user = _users.AsSpan(u * _userStride, _userStride);
        ReadOnlySpan<float> movie = _movies.AsSpan(i * _movieStride, MovieHeader);
        double drift = user[1] * SyntheticCalendar.Years(user[2], day);
        double ageYears = Math.Max(0, SyntheticCalendar.Years(movie[2], day));
        double movieBias = movie[0] + (movie[1] * Math.Log(1 + ageYears));
        return user[0] + (user[3] * movieBias) + Affinity(u, i) + drift + Mood(u, day);
    }

    /// <summary>m_{u,t}: the user's mood on a day, the same for every rating of that day (a hash of user and day, no state).</summary>
    public double Mood(int u, short day) => MoodSd * Rng.Create(_seed, RngStream.Moods, ((long)u << 16) | (ushort)day).NextGaussian();

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
