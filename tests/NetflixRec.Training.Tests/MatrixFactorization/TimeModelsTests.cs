using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>The time-aware models: dev_u(t) and bins by hand, the user-day index, the unseen-day fallback, and every SGD term against central differences.</summary>
public sealed class TimeModelsTests
{
    [Fact]
    public void Deviation_ByHand_IsSignedPowerOfDistanceFromMeanDay()
    {
        var axis = new TimeAxis(0.4f, 0, 1, 1);

        // 32^0.4 = 2^2 = 4; 1^0.4 = 1.
        Assert.Equal(4f, axis.Deviation(132, 100f), 1e-5f);
        Assert.Equal(-4f, axis.Deviation(68, 100f), 1e-5f);
        Assert.Equal(0f, axis.Deviation(100, 100f));
        Assert.Equal(-1f, axis.Deviation(99, 100f), 1e-6f);
        Assert.Equal(MathF.Pow(10.5f, 0.4f), axis.Deviation(111, 100.5f), 1e-5f);
    }

    [Fact]
    public void Bins_ByHand_CoverTheSpanInEqualWholeDaysAndClampOutside()
    {
        short[] days = [10, 50, 109];
        var axis = TimeAxis.Over(days, 0.4f, bins: 10);

        Assert.Equal(10, axis.FirstDay);
        Assert.Equal(10, axis.BinDays);
        Assert.Equal(0, axis.Bin(10));
        Assert.Equal(0, axis.Bin(19));
        Assert.Equal(1, axis.Bin(20));
        Assert.Equal(9, axis.Bin(109));
        Assert.Equal(0, axis.Bin(-300));
        Assert.Equal(9, axis.Bin(5000));
        // 101 days in 30 bins: ceil(101 / 30) = 4 days per bin, the last day in bin 25.
        var wide = TimeAxis.Over([100, 200], 0.4f, bins: 30);
        Assert.Equal(4, wide.BinDays);
        Assert.Equal(25, wide.Bin(200));
    }

    [Fact]
    public void UserDays_DistinctSortedPerUser_UnseenDayHasNoSlot()
    {
        UserDays index = UserDays.Of([1, 0, 1, 1, 0], [30, 7, 10, 30, 7], userCount: 3);

        Assert.Equal([0L, 1, 3, 3], index.Offsets.ToArray());
        Assert.Equal([(short)7, 10, 30], index.Days.ToArray());
        Assert.Equal(0, index.SlotOf(0, 7));
        Assert.Equal(2, index.SlotOf(1, 30));
        Assert.Equal(-1, index.SlotOf(1, 7));
        Assert.Equal(-1, index.SlotOf(2, 7));
        Assert.Equal((short)30, index.LastDay(1));
        Assert.Null(index.LastDay(2));
        UserDays back = UserDays.FromCounts(index.CountsAsFloats(), Array.ConvertAll(index.Days.ToArray(), d => (float)d), "test");
        Assert.Equal(index.Offsets.ToArray(), back.Offsets.ToArray());
        Assert.Equal(index.Days.ToArray(), back.Days.ToArray());
    }

    [Fact]
    public void Predict_UnseenDay_FallsBackToDriftTermsWithoutDayBias()
    {
        TimeAwareModel model = HandModel();
        var axis = model.Axis;
        // User 0 rated on days 100 and 120 (day biases 0.5 and −0.25); day 150 is unseen.
        float Expected(short day, float dayBias)
        {
            float dev = axis.Deviation(day, 110f);
            float dot = (0.3f + (0.01f * dev)) * 0.5f + ((-0.2f + (0.02f * dev)) * 0.4f);
            return 3.6f + 0.1f + (0.02f * dev) + dayBias + (-0.3f) + model.MovieBinBias.Span[(axis.Bin(day) * 2) + 1] + dot;
        }

        Assert.Equal(Expected(120, -0.25f), model.Predict(0, 1, 120), 1e-5f);
        Assert.Equal(Expected(150, 0f), model.Predict(0, 1, 150), 1e-5f);
        Assert.Equal(Expected(100, 0.5f), model.Predict(0, 1, 100), 1e-5f);
        // No day given: the user's latest training day.
        Assert.Equal((short)120, model.DefaultDay(0));
        float[] undated = model.Predict(new[] { 0 }, new short[] { 1 });
        Assert.Equal(Expected(120, -0.25f), undated[0], 1e-5f);
        // A user with no training days: no day bias anywhere, default day = its mean day.
        Assert.Equal((short)110, model.DefaultDay(1));
    }

    [Fact]
    public void ScoreAll_WithDays_EqualsPredictForEveryMovie()
    {
        TimeAwareModel model = HandModel();
        int[] users = [0, 1, 0];
        short[] days = [100, 150, 150];

        DatedScoringCheck.ScoreAllEqualsPredict(model, users, days);
    }

    [Fact]
    public void RatingError_DatedModel_IsGivenEachRowsDay()
    {
        TimeAwareModel model = HandModel();
        var table = new RatingTable(new[] { 0, 0 }, new short[] { 1, 1 }, new byte[] { 3, 3 }, new short[] { 100, 150 });

        float[] predictions = RatingError.PredictClipped(model, table, threads: 1);

        Assert.Equal(RatingError.Clip(model.Predict(0, 1, 100)), predictions[0]);
        Assert.Equal(RatingError.Clip(model.Predict(0, 1, 150)), predictions[1]);
        Assert.NotEqual(predictions[0], predictions[1]);
    }

    /// <summary>
    /// One SGD step on a single rating moves every parameter by rate·(−∂L/∂θ) of L = ½(r − r̂)² + ½λθ², each term with
    /// its own rate and penalty; the gradient is taken by central differences of the model's own prediction.
    /// </summary>
    [Fact]
    public void TrainUser_OneRating_EveryTermStepsAlongCentralDifferenceGradient()
    {
        const int k = 2;
        // User 0 rated movie 1 on day 11800 (and, earlier, nothing else); movie 2 is a hidden (probe-like) pair of user 0.
        var train = new RatingTable(new[] { 0, 1 }, new short[] { 1, 0 }, new byte[] { 5, 2 }, new short[] { 11800, 11500 });
        var hidden = new QueryTable(new[] { 0 }, new short[] { 2 }, new short[] { 11900 });
        var data = new TrainingData(train, RatingTable.Empty, 2, 3, 3.5, hidden, "test");
        var config = new TimeSvdPlusPlusConfig(k, 0.01, 1, 0.05, 0.02, 0.1, 0.4, 4, 1e-3, 3, 2e-3, 0.7, 5e-3, 0.3, false, 0, 0, 0)
        {
            MaxEpochs = 1, Patience = 1, ValidationFraction = 0, Seed = 3, Threads = 1,
        };
        TimeSgdState state = TimeSgdState.Create(data, config);
        var random = new Random(4);
        foreach (float[] parameters in new[] { state.UserBias, state.UserAlpha, state.UserDayBias, state.MovieBias, state.MovieBinBias, state.P, state.PAlpha, state.Q, state.Y })
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        int bin = (state.Axis.Bin(11800) * 3) + 1;
        var rates = new TimeRates(Rate: 1e-3f, RegBias: 0.02f, RegFactors: 0.05f, AlphaRate: 2e-4f, RegAlpha: 3f, DayRate: 5e-4f, RegDay: 0.7f, BinRate: 3e-4f, RegBin: 0.3f);
        var terms = new List<SgdTerm>
        {
            new("b_u", state.UserBias, 0, rates.Rate, rates.RegBias),
            new("alpha_u", state.UserAlpha, 0, rates.AlphaRate, rates.RegAlpha),
            new("b_ut", state.UserDayBias, (int)state.UserDays.SlotOf(0, 11800), rates.DayRate, rates.RegDay),
            new("b_i", state.MovieBias, 1, rates.Rate, rates.RegBias),
            new("b_i,bin", state.MovieBinBias, bin, rates.BinRate, rates.RegBin),
        };
        for (int f = 0; f < k; f++)
        {
            terms.Add(new($"p_u[{f}]", state.P, f, rates.Rate, rates.RegFactors));
            terms.Add(new($"alpha_p_u[{f}]", state.PAlpha, f, rates.AlphaRate, rates.RegAlpha));
            terms.Add(new($"q_i[{f}]", state.Q, k + f, rates.Rate, rates.RegFactors));
            terms.Add(new($"y_rated[{f}]", state.Y, k + f, rates.Rate, rates.RegFactors));
            terms.Add(new($"y_hidden[{f}]", state.Y, (2 * k) + f, rates.Rate, rates.RegFactors));
        }

        SgdGradientCheck.StepsAlongCentralDifferences(state, rates, k, terms, requireNonZero: false);
    }

    [Fact]
    public void Train_UserDrift_TimeBiasBeatsBiasOnLaterDays()
    {
        // Each user's taste drifts by ±0.6 stars a year; the held-out ratings are each user's latest: only a model that
        // reads the day can follow.
        var random = new Random(8);
        int users = 120, movies = 60;
        var rows = new List<(int, short, byte, short)>();
        var heldOut = new List<(int, short, byte, short)>();
        for (int u = 0; u < users; u++)
        {
            double offset = random.NextDouble() - 0.5, drift = (u % 2 == 0 ? 0.6 : -0.6) / 365.0;
            for (int m = 0; m < movies; m++)
            {
                if (random.NextDouble() < 0.5)
                {
                    continue;
                }

                short day = (short)(11000 + (m * 12) + random.Next(10));
                double score = 3.5 + offset + (((m % 5) - 2) * 0.2) + (drift * (day - 11360)) + (0.3 * (random.NextDouble() - 0.5));
                var row = (u, (short)m, (byte)Math.Clamp(Math.Round(score), 1, 5), day);
                (m >= movies - 6 ? heldOut : rows).Add(row);
            }
        }

        RatingTable Table(List<(int U, short M, byte R, short D)> list) => new(list.Select(r => r.U).ToArray(), list.Select(r => r.M).ToArray(), list.Select(r => r.R).ToArray(), list.Select(r => r.D).ToArray());
        RatingTable train = Table(rows), probe = Table(heldOut);
        var data = new TrainingData(train, RatingTable.Empty, users, movies, RatingStatistics.MeanOf(train), QueryTable.Empty, "test");
        double bias = RatingError.Rmse(ModelCatalog.Find("bias").Train(data, ModelCatalog.Configure("bias", new() { ["threads"] = 1 }, "test"), MfFixtures.NoProgress).Model, probe);
        IRatingModel timeBias = ModelCatalog.Find("time-bias").Train(data,
            ModelCatalog.Configure("time-bias", new() { ["threads"] = 1, ["max_epochs"] = 30, ["alpha_learning_rate"] = 1e-4, ["regularization_alpha"] = 1 }, "test"), MfFixtures.NoProgress).Model;

        Assert.True(RatingError.Rmse(timeBias, probe) < bias - 0.05, $"time-bias {RatingError.Rmse(timeBias, probe):F4} vs bias {bias:F4}");
    }

    [Fact]
    public void Train_NegativeTimeField_IsAnErrorNamingTheField()
    {
        (TrainingData data, _) = MfFixtures.LowRank(10, 8, 2, 0.6, 1);
        var error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find("timesvdpp").Train(data,
            ModelCatalog.Configure("timesvdpp", new() { ["regularization_day"] = -1 }, "test"), MfFixtures.NoProgress));
        Assert.Contains("regularization_day", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find("time-bias").Train(data,
            ModelCatalog.Configure("time-bias", new() { ["beta"] = 0 }, "test"), MfFixtures.NoProgress));
        Assert.Contains("beta", error.Message, StringComparison.Ordinal);
    }

    // Two users, two movies, k = 2, days 100 and 120 for user 0 (day biases 0.5, −0.25), none for user 1.
    private static TimeAwareModel HandModel()
    {
        var axis = new TimeAxis(0.4f, 90, 20, 3);
        UserDays days = UserDays.Of([0, 0, 0], [120, 100, 120], userCount: 2);
        return new TimeAwareModel("timesvdpp", 3.6f, axis,
            userBias: new[] { 0.1f, -0.2f }, userAlpha: new[] { 0.02f, 0.01f }, userMeanDay: new[] { 110f, 110.4f },
            movieBias: new[] { 0.2f, -0.3f }, movieBinBias: new[] { 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f },
            userDays: days, userDayBias: new[] { 0.5f, -0.25f }, factors: 2,
            userFactors: new[] { 0.3f, -0.2f, 0.1f, 0.1f }, userFactorAlpha: new[] { 0.01f, 0.02f, 0f, 0f },
            movieFactors: new[] { 0.1f, 0.1f, 0.5f, 0.4f });
    }
}
