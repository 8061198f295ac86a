using System.Numerics.Tensors;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// The live parameters of a time-aware SGD run and the training ratings laid out by user with each rating's time terms
/// precomputed (dev_u(t), movie bin, user-day slot), so the inner loop does no search or pow. Private to training: the
/// trained model is a copy (<see cref="Snapshot"/>).
/// </summary>
internal sealed class TimeSgdState
{
    private readonly long[] _offsets;
    private readonly int[] _movies;
    private readonly float[] _ratings;
    private readonly float[] _deviations;
    private readonly int[] _binIndex;
    private readonly int[] _slots;
    private readonly RatingIndex _implicitSets;

    private TimeSgdState(int users, int movies, int k, float mean, TimeAxis axis, UserDays userDays, float[] userMeanDay,
        long[] offsets, int[] ratedMovies, float[] ratings, float[] deviations, int[] binIndex, int[] slots, RatingIndex implicitSets, Random random, double initStd, bool scaling, bool dayFactors)
    {
        Users = users;
        Movies = movies;
        Factors = k;
        Mean = mean;
        Axis = axis;
        UserDays = userDays;
        UserMeanDay = userMeanDay;
        _offsets = offsets;
        _movies = ratedMovies;
        _ratings = ratings;
        _deviations = deviations;
        _binIndex = binIndex;
        _slots = slots;
        _implicitSets = implicitSets;
        UserBias = new float[users];
        UserAlpha = new float[users];
        MovieBias = new float[movies];
        MovieBinBias = new float[axis.Bins * movies];
        UserDayBias = new float[userDays.Count];
        // c_u starts at 1 (the plain model) and c_{u,t} at 0; without the scaling both stay empty.
        UserScale = scaling ? Enumerable.Repeat(1f, users).ToArray() : [];
        UserDayScale = scaling ? new float[userDays.Count] : [];
        // p_{u,t}: k floats per user-day, zero at the start (the day's factor is the user's until a day teaches otherwise).
        UserDayFactors = dayFactors && k > 0 ? new float[(long)userDays.Count * k] : [];
        P = FactorInit.Gaussian(random, (long)users * k, initStd);
        Q = FactorInit.Gaussian(random, (long)movies * k, initStd);
        PAlpha = new float[users * k];
        Y = new float[movies * k];
    }

    public int Users { get; }

    public int Movies { get; }

    public int Factors { get; }

    public float Mean { get; }

    public TimeAxis Axis { get; }

    public UserDays UserDays { get; }

    public float[] UserMeanDay { get; }

    public float[] UserBias { get; }

    public float[] UserAlpha { get; }

    public float[] MovieBias { get; }

    public float[] MovieBinBias { get; }

    public float[] UserDayBias { get; }

    public float[] UserScale { get; }

    public float[] UserDayScale { get; }

    public bool Scaling => UserScale.Length > 0;

    public float[] UserDayFactors { get; }

    public float[] P { get; }

    public float[] PAlpha { get; }

    public float[] Q { get; }

    public float[] Y { get; }

    public static TimeSgdState Create(TrainingData data, TimeSvdPlusPlusConfig config)
    {
        RatingTable train = data.Train;
        ReadOnlySpan<int> users = train.Users.Span;
        ReadOnlySpan<short> movies = train.Movies.Span;
        ReadOnlySpan<byte> stars = train.Ratings.Span;
        ReadOnlySpan<short> days = train.Days.Span;
        var axis = TimeAxis.Over(days, (float)config.Beta, config.Bins);
        UserDays userDays = UserDays.Of(users, days, data.Users);

        // t_u: each user's mean training day; a user without training ratings gets the overall mean (dev is then only drift from it).
        var daySums = new double[data.Users];
        var offsets = new long[data.Users + 1];
        double allDays = 0;
        foreach (int u in users)
        {
            offsets[u + 1]++;
        }

        for (int i = 0; i < users.Length; i++)
        {
            daySums[users[i]] += days[i];
            allDays += days[i];
        }

        float overallMeanDay = users.Length == 0 ? 0f : (float)(allDays / users.Length);
        var meanDay = new float[data.Users];
        for (int u = 0; u < data.Users; u++)
        {
            long count = offsets[u + 1];
            meanDay[u] = count == 0 ? overallMeanDay : (float)(daySums[u] / count);
            offsets[u + 1] += offsets[u];
        }

        // Counting sort by user, precomputing each rating's time terms.
        var next = offsets[..^1].ToArray();
        int n = users.Length;
        var ratedMovies = new int[n];
        var ratings = new float[n];
        var deviations = new float[n];
        var bins = new int[n];
        var slots = new int[n];
        for (int i = 0; i < n; i++)
        {
            int u = users[i];
            long at = next[u]++;
            ratedMovies[at] = movies[i];
            ratings[at] = stars[i];
            deviations[at] = axis.Deviation(days[i], meanDay[u]);
            bins[at] = (axis.Bin(days[i]) * data.Movies) + movies[i];
            slots[at] = (int)userDays.SlotOf(u, days[i]);
        }

        RatingIndex implicitSets = config.Factors > 0 ? SvdPlusPlus.ImplicitSets(data) : RatingIndex.ByUser(RatingTable.Empty, data.Users);
        return new TimeSgdState(data.Users, data.Movies, config.Factors, (float)data.GlobalMean, axis, userDays, meanDay,
            offsets, ratedMovies, ratings, deviations, bins, slots, implicitSets, new Random(config.Seed), config.InitStd, config.UserScaling, config.DayFactors);
    }

    /// <summary>
    /// One SGD pass over one user's ratings: each term moves along its own negative gradient of
    /// ½(r − r̂)² + ½λ·θ² with its own rate (c_u's penalty pulls it toward 1, not 0); y_j as in <see cref="SvdPlusPlus.TrainUser"/>.
    /// </summary>
    /// <returns>The sum of the squared errors met on the way (each before its own update): the epoch's training error
    /// without a second pass over every rating.</returns>
    public double TrainUser(int user, TimeRates rates, TimeSgdScratch scratch)
    {
        long start = _offsets[user], end = _offsets[user + 1];
        if (start == end)
        {
            return 0;
        }

        double squaredError = 0;

        int k = Factors;
        ReadOnlySpan<int> known = k > 0 ? _implicitSets.ColumnsOf(user) : [];
        float norm = known.IsEmpty ? 0f : 1f / MathF.Sqrt(known.Length);
        float[] implicitSum = scratch.ImplicitSum, implicitGradient = scratch.ImplicitGradient, z = scratch.UserFactor;
        if (k > 0)
        {
            Array.Clear(implicitSum);
            foreach (int j in known)
            {
                TensorPrimitives.Add(implicitSum, Y.AsSpan(j * k, k), implicitSum);
            }

            TensorPrimitives.Multiply(implicitSum, norm, implicitSum);
            Array.Clear(implicitGradient);
        }

        Span<float> pu = P.AsSpan(user * k, k), au = PAlpha.AsSpan(user * k, k);
        bool scaling = Scaling, dayFactors = UserDayFactors.Length > 0;
        for (long r = start; r < end; r++)
        {
            int movie = _movies[r], bin = _binIndex[r], slot = _slots[r];
            float dev = _deviations[r];
            float movieTerm = MovieBias[movie] + MovieBinBias[bin];
            float scale = scaling ? UserScale[user] + UserDayScale[slot] : 1f;
            float prediction = Mean + UserBias[user] + (UserAlpha[user] * dev) + UserDayBias[slot] + (movieTerm * scale);
            Span<float> qi = Q.AsSpan(movie * k, k);
            Span<float> pt = dayFactors ? UserDayFactors.AsSpan(slot * k, k) : [];
            if (k > 0)
            {
                // z = p_u + α^p_u·dev (+ p_{u,t}) + implicit sum: the user's factor on this day.
                TensorPrimitives.MultiplyAdd(au, dev, pu, z);
                TensorPrimitives.Add(z, implicitSum, z);
                if (dayFactors)
                {
                    TensorPrimitives.Add(z, pt, z);
                }

                prediction += TensorPrimitives.Dot(z, qi);
            }

            float error = _ratings[r] - prediction;
            squaredError += error * error;
            UserBias[user] += rates.Rate * (error - (rates.RegBias * UserBias[user]));
            UserAlpha[user] += rates.AlphaRate * ((error * dev) - (rates.RegAlpha * UserAlpha[user]));
            UserDayBias[slot] += rates.DayRate * (error - (rates.RegDay * UserDayBias[slot]));
            MovieBias[movie] += rates.Rate * ((error * scale) - (rates.RegBias * MovieBias[movie]));
            MovieBinBias[bin] += rates.BinRate * ((error * scale) - (rates.RegBin * MovieBinBias[bin]));
            if (scaling)
            {
                UserScale[user] += rates.ScaleRate * ((error * movieTerm) - (rates.RegScale * (UserScale[user] - 1f)));
                UserDayScale[slot] += rates.ScaleRate * ((error * movieTerm) - (rates.RegDayScale * UserDayScale[slot]));
            }
            if (k > 0)
            {
                TensorPrimitives.MultiplyAdd(qi, error * norm, implicitGradient, implicitGradient);
                for (int f = 0; f < k; f++)
                {
                    float pf = pu[f], af = au[f], qf = qi[f];
                    pu[f] += rates.Rate * ((error * qf) - (rates.RegFactors * pf));
                    au[f] += rates.AlphaRate * ((error * dev * qf) - (rates.RegAlpha * af));
                    qi[f] += rates.Rate * ((error * z[f]) - (rates.RegFactors * qf));
                    if (dayFactors)
                    {
                        pt[f] += rates.DayFactorRate * ((error * qf) - (rates.RegDayFactors * pt[f]));
                    }
                }
            }
        }

        if (k > 0)
        {
            // As svdpp: the per-rating shrinkage of y_j summed over the user's ratings, capped so it cannot flip a sign.
            float shrink = 1f - MathF.Min(1f, rates.Rate * rates.RegFactors * (end - start));
            foreach (int j in known)
            {
                Span<float> yj = Y.AsSpan(j * k, k);
                TensorPrimitives.Multiply(yj, shrink, yj);
                TensorPrimitives.MultiplyAdd(implicitGradient, rates.Rate, yj, yj);
            }
        }

        return squaredError;
    }

    /// <summary>The model as it stands, copied (the next epoch keeps training these arrays) with the implicit term folded into p_u.</summary>
    public TimeAwareModel Snapshot(string name)
    {
        int k = Factors;
        var folded = P.ToArray();
        if (k > 0)
        {
            Parallel.For(0, Users, u =>
            {
                ReadOnlySpan<int> known = _implicitSets.ColumnsOf(u);
                if (known.IsEmpty)
                {
                    return;
                }

                float norm = 1f / MathF.Sqrt(known.Length);
                Span<float> target = folded.AsSpan(u * k, k);
                foreach (int j in known)
                {
                    TensorPrimitives.MultiplyAdd(Y.AsSpan(j * k, k), norm, target, target);
                }
            });
        }

        return new TimeAwareModel(name, Mean, Axis, UserBias.ToArray(), UserAlpha.ToArray(), UserMeanDay, MovieBias.ToArray(), MovieBinBias.ToArray(),
            UserDays, UserDayBias.ToArray(), k, folded, PAlpha.ToArray(), Q.ToArray(), UserScale.ToArray(), UserDayScale.ToArray(), UserDayFactors.ToArray());
    }
}
