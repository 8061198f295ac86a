using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// The trained form of <c>time-bias</c> (no factors) and <c>timesvdpp</c>:
/// <code>
/// r̂(u, i, t) = μ + b_u + α_u·dev_u(t) + b_{u,t} + (b_i + b_{i,Bin(t)})·c_u(t) + q_i·(p_u + α^p_u·dev_u(t) + p_{u,t})
/// </code>
/// (p_{u,t} only when trained with <c>day_factors</c>, <see cref="HasDayFactors"/>)
/// with SVD++'s implicit term already folded into p_u, and c_u(t) = c_u + c_{u,t} (Koren 2009 eq. 10) when the model was
/// trained with the scaling (<see cref="HasScaling"/>), 1 otherwise. b_{u,t} and c_{u,t} exist only for (user, day) pairs
/// seen in training; any other day (a probe day, "today") gets the drift terms and c_u alone. Movie bin biases are bin-major: <c>MovieBinBias[bin * Movies + i]</c>.
/// </summary>
public sealed class TimeAwareModel : IDatedRatingModel
{
    public TimeAwareModel(string name, float globalMean, TimeAxis axis, ReadOnlyMemory<float> userBias, ReadOnlyMemory<float> userAlpha,
        ReadOnlyMemory<float> userMeanDay, ReadOnlyMemory<float> movieBias, ReadOnlyMemory<float> movieBinBias, UserDays userDays,
        ReadOnlyMemory<float> userDayBias, int factors, ReadOnlyMemory<float> userFactors, ReadOnlyMemory<float> userFactorAlpha,
        ReadOnlyMemory<float> movieFactors, ReadOnlyMemory<float> userScale = default, ReadOnlyMemory<float> userDayScale = default,
        ReadOnlyMemory<float> userDayFactors = default)
    {
        Name = name;
        GlobalMean = globalMean;
        Axis = axis;
        UserBias = userBias;
        UserAlpha = userAlpha;
        UserMeanDay = userMeanDay;
        MovieBias = movieBias;
        MovieBinBias = movieBinBias;
        UserDays = userDays;
        UserDayBias = userDayBias;
        Factors = factors;
        UserFactors = userFactors;
        UserFactorAlpha = userFactorAlpha;
        MovieFactors = movieFactors;
        UserScale = userScale;
        UserDayScale = userDayScale;
        UserDayFactors = userDayFactors;
    }

    public string Name { get; }

    /// <summary>time-bias (no factors) is a baseline, as <c>bias</c> is; timesvdpp is matrix factorization.</summary>
    public string Family => Factors == 0 ? ModelFamily.Baseline : ModelFamily.MatrixFactorization;

    public float GlobalMean { get; }

    public TimeAxis Axis { get; }

    public ReadOnlyMemory<float> UserBias { get; }

    public ReadOnlyMemory<float> UserAlpha { get; }

    public ReadOnlyMemory<float> UserMeanDay { get; }

    public ReadOnlyMemory<float> MovieBias { get; }

    public ReadOnlyMemory<float> MovieBinBias { get; }

    public UserDays UserDays { get; }

    public ReadOnlyMemory<float> UserDayBias { get; }

    public int Factors { get; }

    public ReadOnlyMemory<float> UserFactors { get; }

    public ReadOnlyMemory<float> UserFactorAlpha { get; }

    public ReadOnlyMemory<float> MovieFactors { get; }

    /// <summary>c_u, one per user; empty when the model has no scaling of the movie bias.</summary>
    public ReadOnlyMemory<float> UserScale { get; }

    /// <summary>c_{u,t}, one per user-day slot of <see cref="UserDays"/>; empty when <see cref="UserScale"/> is.</summary>
    public ReadOnlyMemory<float> UserDayScale { get; }

    public bool HasScaling => !UserScale.IsEmpty;

    /// <summary>p_{u,t}, <see cref="Factors"/> floats per user-day slot (slot-major); empty when trained without them.</summary>
    public ReadOnlyMemory<float> UserDayFactors { get; }

    public bool HasDayFactors => !UserDayFactors.IsEmpty;

    public int Users => UserBias.Length;

    public int Movies => MovieBias.Length;

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        .. BaseTensors,
        .. HasScaling ? [NamedTensor.Vector("user_scale", UserScale), NamedTensor.Vector("user_day_scale", UserDayScale)] : Array.Empty<NamedTensor>(),
        .. HasDayFactors ? [NamedTensor.Matrix("user_day_factors", UserDays.Count, Factors, UserDayFactors)] : Array.Empty<NamedTensor>(),
    ];

    private IReadOnlyList<NamedTensor> BaseTensors =>
    [
        NamedTensor.Vector("global_mean", new[] { GlobalMean }),
        NamedTensor.Vector("time_axis", new[] { Axis.Beta, Axis.FirstDay, Axis.BinDays, Axis.Bins }),
        NamedTensor.Vector("user_bias", UserBias),
        NamedTensor.Vector("user_alpha", UserAlpha),
        NamedTensor.Vector("user_mean_day", UserMeanDay),
        NamedTensor.Vector("movie_bias", MovieBias),
        NamedTensor.Matrix("movie_bin_bias", Axis.Bins, Movies, MovieBinBias),
        NamedTensor.Vector("user_day_count", UserDays.CountsAsFloats()),
        NamedTensor.Vector("user_days", Array.ConvertAll(UserDays.Days.ToArray(), d => (float)d)),
        NamedTensor.Vector("user_day_bias", UserDayBias),
        NamedTensor.Matrix("user_factors", Users, Factors, UserFactors),
        NamedTensor.Matrix("user_factor_alpha", Users, Factors, UserFactorAlpha),
        NamedTensor.Matrix("movie_factors", Movies, Factors, MovieFactors),
    ];

    public static TimeAwareModel FromTensors(string name, IReadOnlyList<NamedTensor> tensors, string path)
    {
        ReadOnlySpan<float> axis = SafeTensors.Require(tensors, "time_axis", path).Data.Span;
        if (axis.Length != 4 || axis[3] < 1 || axis[2] < 1)
        {
            throw new InvalidDataException($"{path}: time_axis must hold [beta, first_day, bin_days, bins] with at least one bin");
        }

        NamedTensor userFactors = SafeTensors.Require(tensors, "user_factors", path);
        var model = new TimeAwareModel(name,
            SafeTensors.RequireScalar(tensors, "global_mean", path),
            new TimeAxis(axis[0], (int)axis[1], (int)axis[2], (int)axis[3]),
            SafeTensors.Require(tensors, "user_bias", path).Data,
            SafeTensors.Require(tensors, "user_alpha", path).Data,
            SafeTensors.Require(tensors, "user_mean_day", path).Data,
            SafeTensors.Require(tensors, "movie_bias", path).Data,
            SafeTensors.Require(tensors, "movie_bin_bias", path).Data,
            UserDays.FromCounts(SafeTensors.Require(tensors, "user_day_count", path).Data.Span, SafeTensors.Require(tensors, "user_days", path).Data.Span, path),
            SafeTensors.Require(tensors, "user_day_bias", path).Data,
            userFactors.Shape.Count == 2 ? userFactors.Shape[1] : throw new InvalidDataException($"{path}: user_factors must be a matrix"),
            userFactors.Data,
            SafeTensors.Require(tensors, "user_factor_alpha", path).Data,
            SafeTensors.Require(tensors, "movie_factors", path).Data,
            Optional(tensors, "user_scale"),
            Optional(tensors, "user_day_scale"),
            Optional(tensors, "user_day_factors"));
        model.Validate(path);
        return model;
    }

    /// <summary>Checks that the arrays agree with each other; a mismatch names the source.</summary>
    public void Validate(string source)
    {
        int users = Users, movies = Movies, k = Factors;
        if (UserAlpha.Length != users || UserMeanDay.Length != users || UserDays.Users != users || UserDayBias.Length != UserDays.Count
            || MovieBinBias.Length != (long)Axis.Bins * movies || UserFactors.Length != (long)users * k
            || UserFactorAlpha.Length != (long)users * k || MovieFactors.Length != (long)movies * k
            || (HasScaling && (UserScale.Length != users || UserDayScale.Length != UserDays.Count)) || (!HasScaling && !UserDayScale.IsEmpty)
            || (HasDayFactors && UserDayFactors.Length != (long)UserDays.Count * k))
        {
            throw new InvalidDataException($"{source}: the time model's arrays do not agree with {users} users, {movies} movies, {k} factors, {Axis.Bins} bins, {UserDays.Count} user-days");
        }
    }

    // Models saved before the scaling existed have neither tensor: they read as unscaled.
    private static ReadOnlyMemory<float> Optional(IReadOnlyList<NamedTensor> tensors, string name) =>
        tensors.FirstOrDefault(t => t.Name == name) is NamedTensor tensor ? tensor.Data : ReadOnlyMemory<float>.Empty;

    public short DefaultDay(int user) => UserDays.LastDay(user) ?? (short)MathF.Round(UserMeanDay.Span[user]);

    /// <summary>r̂(u, i, t): the sum in the class summary.</summary>
    public float Predict(int user, int movie, short day)
    {
        float deviation = Axis.Deviation(day, UserMeanDay.Span[user]);
        long slot = UserDays.SlotOf(user, day);
        float movieTerm = MovieBias.Span[movie] + MovieBinBias.Span[(Axis.Bin(day) * Movies) + movie];
        float prediction = UserPart(user, slot, deviation) + (movieTerm * Scale(user, slot));
        if (Factors > 0)
        {
            int k = Factors;
            ReadOnlySpan<float> p = UserFactors.Span.Slice(user * k, k), a = UserFactorAlpha.Span.Slice(user * k, k), q = MovieFactors.Span.Slice(movie * k, k);
            float dot = 0f;
            for (int f = 0; f < k; f++)
            {
                dot += (p[f] + (a[f] * deviation)) * q[f];
            }

            if (HasDayFactors && slot >= 0)
            {
                dot += TensorPrimitives.Dot(UserDayFactors.Span.Slice((int)slot * k, k), q);
            }

            prediction += dot;
        }

        return prediction;
    }

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, ReadOnlySpan<short> days, Span<float> predictions)
    {
        if (days.Length != users.Length || movies.Length != users.Length || predictions.Length < users.Length)
        {
            throw new ArgumentException($"{users.Length} users, {movies.Length} movies, {days.Length} days, {predictions.Length} predictions: the series must be aligned", nameof(days));
        }

        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = Predict(users[i], movies[i], days[i]);
        }
    }

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        for (int i = 0; i < users.Length; i++)
        {
            predictions[i] = Predict(users[i], movies[i], DefaultDay(users[i]));
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        var days = new short[users.Length];
        for (int i = 0; i < users.Length; i++)
        {
            days[i] = DefaultDay(users[i]);
        }

        ScoreAll(users, days, scores);
    }

    /// <summary>
    /// Every movie for each user on a day: the user's terms at that day become one plain factor row (μ-free user part,
    /// p_u + α^p_u·dev), scored by <see cref="FactorModel"/>'s blocked kernel, then the movie's bin bias for that day is added.
    /// </summary>
    public void ScoreAll(ReadOnlySpan<int> users, ReadOnlySpan<short> days, Span<float> scores)
    {
        int k = Factors, movies = Movies;
        if (days.Length != users.Length || scores.Length < (long)users.Length * movies)
        {
            throw new ArgumentException($"{users.Length} users, {days.Length} days, {scores.Length} scores: need one day per user and users × {movies} scores", nameof(scores));
        }

        var userPart = new float[users.Length];
        var scale = new float[users.Length];
        var factors = new float[users.Length * k];
        for (int i = 0; i < users.Length; i++)
        {
            int user = users[i];
            float deviation = Axis.Deviation(days[i], UserMeanDay.Span[user]);
            long slot = UserDays.SlotOf(user, days[i]);
            userPart[i] = UserPart(user, slot, deviation);
            scale[i] = Scale(user, slot);
            if (k > 0)
            {
                TensorPrimitives.MultiplyAdd(UserFactorAlpha.Span.Slice(user * k, k), deviation, UserFactors.Span.Slice(user * k, k), factors.AsSpan(i * k, k));
                if (HasDayFactors && slot >= 0)
                {
                    TensorPrimitives.Add(factors.AsSpan(i * k, k), UserDayFactors.Span.Slice((int)slot * k, k), factors.AsSpan(i * k, k));
                }
            }
        }

        var rows = new FactorModel(Name, Family, 0f, userPart, MovieBias, k, factors, MovieFactors);
        int[] batch = [.. Enumerable.Range(0, users.Length)];
        rows.ScoreAll(batch, scores);
        for (int i = 0; i < users.Length; i++)
        {
            // The kernel added b_i once; the scaled movie term is c·(b_i + b_bin) = b_i + (c − 1)·b_i + c·b_bin.
            Span<float> row = scores.Slice(i * movies, movies);
            if (scale[i] != 1f)
            {
                TensorPrimitives.MultiplyAdd(MovieBias.Span, scale[i] - 1f, row, row);
            }

            TensorPrimitives.MultiplyAdd(MovieBinBias.Span.Slice(Axis.Bin(days[i]) * movies, movies), scale[i], row, row);
        }
    }

    // μ + b_u + α_u·dev_u(t) + b_{u,t}; the per-day bias is zero on a day the user did not rate on in training (slot −1).
    private float UserPart(int user, long slot, float deviation)
    {
        float dayBias = slot >= 0 ? UserDayBias.Span[(int)slot] : 0f;
        return GlobalMean + UserBias.Span[user] + (UserAlpha.Span[user] * deviation) + dayBias;
    }

    // c_u(t) = c_u + c_{u,t} (c_{u,t} zero on an unseen day); 1 for a model without the scaling.
    private float Scale(int user, long slot)
    {
        if (!HasScaling)
        {
            return 1f;
        }

        return UserScale.Span[user] + (slot >= 0 ? UserDayScale.Span[(int)slot] : 0f);
    }
}
