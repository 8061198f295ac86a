using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>
/// The user's scaling of the movie bias, c_u(t) = c_u + c_{u,t} (Koren 2009 eq. 10): SGD steps against central
/// differences, the unseen-day fallback to c_u, ScoreAll against Predict, and the saved form.
/// </summary>
public sealed class TimeScalingTests
{
    /// <summary>With the scaling on, every term (the scales and the movie terms they multiply included) steps along −∂L/∂θ.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void TrainUser_Scaling_EveryTermStepsAlongCentralDifferenceGradient(int k)
    {
        // User 0 rated movie 1 on day 11800 only: one SGD step, one rating.
        var train = new RatingTable(new[] { 0, 1 }, new short[] { 1, 0 }, new byte[] { 5, 2 }, new short[] { 11800, 11500 });
        var hidden = new QueryTable(new[] { 0 }, new short[] { 2 }, new short[] { 11900 });
        var data = new TrainingData(train, RatingTable.Empty, 2, 3, 3.5, hidden, "test");
        TimeSgdState state = TimeSgdState.Create(data, Config(k));
        var random = new Random(4);
        foreach (float[] parameters in new[] { state.UserBias, state.UserAlpha, state.UserDayBias, state.MovieBias, state.MovieBinBias, state.UserDayScale, state.P, state.PAlpha, state.Q, state.Y })
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        state.UserScale[0] = 1.3f;
        int bin = (state.Axis.Bin(11800) * 3) + 1;
        int slot = (int)state.UserDays.SlotOf(0, 11800);
        var rates = new TimeRates(Rate: 1e-3f, RegBias: 0.02f, RegFactors: 0.05f, AlphaRate: 2e-4f, RegAlpha: 3f, DayRate: 5e-4f, RegDay: 0.7f,
            BinRate: 3e-4f, RegBin: 0.3f, ScaleRate: 4e-4f, RegScale: 0.6f, RegDayScale: 0.9f);
        // c_u's penalty pulls it toward 1 (Center), the others toward 0.
        var terms = new List<SgdTerm>
        {
            new("b_i", state.MovieBias, 1, rates.Rate, rates.RegBias, 0),
            new("b_i,bin", state.MovieBinBias, bin, rates.BinRate, rates.RegBin, 0),
            new("c_u", state.UserScale, 0, rates.ScaleRate, rates.RegScale, 1),
            new("c_ut", state.UserDayScale, slot, rates.ScaleRate, rates.RegDayScale, 0),
            new("b_ut", state.UserDayBias, slot, rates.DayRate, rates.RegDay, 0),
        };
        for (int f = 0; f < k; f++)
        {
            terms.Add(new($"q_i[{f}]", state.Q, k + f, rates.Rate, rates.RegFactors, 0));
        }

        SgdGradientCheck.StepsAlongCentralDifferences(state, rates, k, terms, requireNonZero: true);
    }

    [Fact]
    public void Predict_UnseenDay_KeepsUserScaleWithoutDayScale()
    {
        TimeAwareModel model = ScaledModel();
        TimeAwareModel plain = Unscaled(model);
        // User 0 rated on days 100 (c_ut 0.2) and 120 (c_ut −0.1), c_u = 1.5; day 150 is unseen.
        float MovieTerm(short day) => -0.3f + model.MovieBinBias.Span[(model.Axis.Bin(day) * 2) + 1];

        Assert.Equal(plain.Predict(0, 1, 120) + ((1.5f - 0.1f - 1f) * MovieTerm(120)), model.Predict(0, 1, 120), 1e-5f);
        Assert.Equal(plain.Predict(0, 1, 100) + ((1.5f + 0.2f - 1f) * MovieTerm(100)), model.Predict(0, 1, 100), 1e-5f);
        Assert.Equal(plain.Predict(0, 1, 150) + ((1.5f - 1f) * MovieTerm(150)), model.Predict(0, 1, 150), 1e-5f);
        // User 1 has no training days: c_u alone.
        Assert.Equal(plain.Predict(1, 0, 130) + ((0.8f - 1f) * (0.2f + model.MovieBinBias.Span[model.Axis.Bin(130) * 2])), model.Predict(1, 0, 130), 1e-5f);
    }

    [Fact]
    public void ScoreAll_Scaled_EqualsPredictForEveryMovie()
    {
        TimeAwareModel model = ScaledModel();
        int[] users = [0, 1, 0, 0];
        short[] days = [100, 150, 150, 120];

        DatedScoringCheck.ScoreAllEqualsPredict(model, users, days);
    }

    [Fact]
    public void FromTensors_Scaled_RoundTripsAndUnscaledFilesReadAsUnscaled()
    {
        TimeAwareModel model = ScaledModel();
        TimeAwareModel back = TimeAwareModel.FromTensors("timesvdpp", model.Tensors, "test");
        Assert.True(back.HasScaling);
        Assert.Equal(model.Predict(0, 1, 100), back.Predict(0, 1, 100));

        // A model saved before the scaling existed has neither tensor.
        IReadOnlyList<NamedTensor> old = [.. model.Tensors.Where(t => t.Name is not ("user_scale" or "user_day_scale"))];
        TimeAwareModel unscaled = TimeAwareModel.FromTensors("timesvdpp", old, "test");
        Assert.False(unscaled.HasScaling);
        Assert.Equal(Unscaled(model).Predict(0, 1, 100), unscaled.Predict(0, 1, 100));
    }

    [Fact]
    public void Train_Scaling_LearnsUsersWhoseRatingsFollowMovieQualityMoreOrLess()
    {
        // Half the users feel movie quality twice as strongly, half not at all: with the scaling, time-bias fits both.
        var random = new Random(3);
        int users = 80, movies = 40;
        var rows = new List<(int U, short M, byte R, short D)>();
        for (int u = 0; u < users; u++)
        {
            double scale = u % 2 == 0 ? 2 : 0;
            for (int m = 0; m < movies; m++)
            {
                if (random.NextDouble() < 0.6)
                {
                    double quality = ((m % 5) - 2) * 0.5;
                    rows.Add((u, (short)m, (byte)Math.Clamp(Math.Round(3.5 + (scale * quality) + (0.3 * (random.NextDouble() - 0.5))), 1, 5), (short)(11000 + random.Next(300))));
                }
            }
        }

        var train = new RatingTable(rows.Select(r => r.U).ToArray(), rows.Select(r => r.M).ToArray(), rows.Select(r => r.R).ToArray(), rows.Select(r => r.D).ToArray());
        var data = new TrainingData(train, RatingTable.Empty, users, movies, RatingStatistics.MeanOf(train), QueryTable.Empty, "test");
        double Fit(bool scaling)
        {
            IRatingModel model = ModelCatalog.Find("time-bias").Train(data, ModelCatalog.Configure("time-bias", new()
            {
                ["threads"] = 1, ["max_epochs"] = 30, ["user_scaling"] = scaling, ["scale_learning_rate"] = 0.01, ["validation_fraction"] = 0,
            }, "test"), MfFixtures.NoProgress).Model;
            return RatingError.Rmse(model, train);
        }

        double plain = Fit(false), scaled = Fit(true);
        Assert.True(scaled < plain - 0.2, $"scaled {scaled:F4} vs plain {plain:F4}");
    }

    private static TimeSvdPlusPlusConfig Config(int k) =>
        new(k, 0.01, 1, 0.05, 0.02, 0.1, 0.4, 4, 1e-3, 3, 2e-3, 0.7, 5e-3, 0.3, true, 1e-3, 0.5, 0.5)
        {
            MaxEpochs = 1, Patience = 1, ValidationFraction = 0, Seed = 3, Threads = 1,
        };

    // Two users, two movies, k = 2; user 0 rated on days 100 and 120, user 1 on none.
    private static TimeAwareModel ScaledModel()
    {
        var axis = new TimeAxis(0.4f, 90, 20, 3);
        UserDays days = UserDays.Of([0, 0, 0], [120, 100, 120], userCount: 2);
        return new TimeAwareModel("timesvdpp", 3.6f, axis,
            userBias: new[] { 0.1f, -0.2f }, userAlpha: new[] { 0.02f, 0.01f }, userMeanDay: new[] { 110f, 110.4f },
            movieBias: new[] { 0.2f, -0.3f }, movieBinBias: new[] { 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f },
            userDays: days, userDayBias: new[] { 0.5f, -0.25f }, factors: 2,
            userFactors: new[] { 0.3f, -0.2f, 0.1f, 0.1f }, userFactorAlpha: new[] { 0.01f, 0.02f, 0f, 0f },
            movieFactors: new[] { 0.1f, 0.1f, 0.5f, 0.4f }, userScale: new[] { 1.5f, 0.8f }, userDayScale: new[] { 0.2f, -0.1f });
    }

    private static TimeAwareModel Unscaled(TimeAwareModel m) =>
        new(m.Name, m.GlobalMean, m.Axis, m.UserBias, m.UserAlpha, m.UserMeanDay, m.MovieBias, m.MovieBinBias, m.UserDays, m.UserDayBias,
            m.Factors, m.UserFactors, m.UserFactorAlpha, m.MovieFactors);

}
