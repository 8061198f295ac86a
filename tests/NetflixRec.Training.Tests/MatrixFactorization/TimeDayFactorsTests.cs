using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>timesvdpp's optional per-user-day factor offset p_{u,t}: SGD steps against central differences, the unseen-day fallback, ScoreAll.</summary>
public sealed class TimeDayFactorsTests
{
    [Fact]
    public void TrainUser_DayFactors_StepAlongCentralDifferenceGradient()
    {
        const int k = 3;
        var train = new RatingTable(new[] { 0, 1 }, new short[] { 1, 0 }, new byte[] { 5, 2 }, new short[] { 11800, 11500 });
        var hidden = new QueryTable(new[] { 0 }, new short[] { 2 }, new short[] { 11900 });
        var data = new TrainingData(train, RatingTable.Empty, 2, 3, 3.5, hidden, "test");
        var config = new TimeSvdPlusPlusConfig(k, 0.01, 1, 0.05, 0.02, 0.1, 0.4, 4, 1e-3, 3, 2e-3, 0.7, 5e-3, 0.3, true, 1e-3, 0.5, 0.5,
            DayFactors: true, DayFactorLearningRate: 1e-3, RegularizationDayFactors: 0.4)
        {
            MaxEpochs = 1, Patience = 1, ValidationFraction = 0, Seed = 3, Threads = 1,
        };
        TimeSgdState state = TimeSgdState.Create(data, config);
        Assert.Equal(state.UserDays.Count * k, state.UserDayFactors.Length);
        var random = new Random(5);
        foreach (float[] parameters in new[] { state.UserBias, state.UserDayBias, state.MovieBias, state.UserDayFactors, state.P, state.PAlpha, state.Q, state.Y })
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        int slot = (int)state.UserDays.SlotOf(0, 11800);
        var rates = new TimeRates(Rate: 1e-3f, RegBias: 0.02f, RegFactors: 0.05f, AlphaRate: 2e-4f, RegAlpha: 3f, DayRate: 5e-4f, RegDay: 0.7f,
            BinRate: 3e-4f, RegBin: 0.3f, ScaleRate: 4e-4f, RegScale: 0.6f, RegDayScale: 0.9f, DayFactorRate: 6e-4f, RegDayFactors: 0.4f);
        var terms = new List<SgdTerm>();
        for (int f = 0; f < k; f++)
        {
            terms.Add(new($"p_ut[{f}]", state.UserDayFactors, (slot * k) + f, rates.DayFactorRate, rates.RegDayFactors));
            terms.Add(new($"q_i[{f}]", state.Q, k + f, rates.Rate, rates.RegFactors));
            terms.Add(new($"p_u[{f}]", state.P, f, rates.Rate, rates.RegFactors));
        }

        SgdGradientCheck.StepsAlongCentralDifferences(state, rates, k, terms, requireNonZero: true);
    }

    [Fact]
    public void Predict_DayFactors_OnlyOnSeenDays_AndScoreAllAgrees()
    {
        var axis = new TimeAxis(0.4f, 90, 20, 3);
        UserDays days = UserDays.Of([0, 0], [100, 120], userCount: 2);
        float[] dayFactors = [0.5f, -0.5f, 1f, 2f];
        TimeAwareModel Model(ReadOnlyMemory<float> perDay) => new("timesvdpp", 3.6f, axis,
            userBias: new[] { 0.1f, -0.2f }, userAlpha: new[] { 0.02f, 0.01f }, userMeanDay: new[] { 110f, 110.4f },
            movieBias: new[] { 0.2f, -0.3f }, movieBinBias: new[] { 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f },
            userDays: days, userDayBias: new[] { 0.5f, -0.25f }, factors: 2,
            userFactors: new[] { 0.3f, -0.2f, 0.1f, 0.1f }, userFactorAlpha: new[] { 0.01f, 0.02f, 0f, 0f },
            movieFactors: new[] { 0.1f, 0.1f, 0.5f, 0.4f }, userDayFactors: perDay);
        TimeAwareModel with = Model(dayFactors), without = Model(default);

        // Day 120 is slot 1 of user 0: p_{u,t} = (1, 2); movie 1's q = (0.5, 0.4).
        Assert.Equal(without.Predict(0, 1, 120) + ((1f * 0.5f) + (2f * 0.4f)), with.Predict(0, 1, 120), 1e-5f);
        Assert.Equal(without.Predict(0, 1, 100) + ((0.5f * 0.5f) + (-0.5f * 0.4f)), with.Predict(0, 1, 100), 1e-5f);
        Assert.Equal(without.Predict(0, 1, 150), with.Predict(0, 1, 150), 1e-6f);
        Assert.Equal(without.Predict(1, 0, 120), with.Predict(1, 0, 120), 1e-6f);

        int[] users = [0, 0, 1];
        short[] on = [120, 150, 100];
        DatedScoringCheck.ScoreAllEqualsPredict(with, users, on);

        TimeAwareModel back = TimeAwareModel.FromTensors("timesvdpp", with.Tensors, "test");
        Assert.True(back.HasDayFactors);
        Assert.Equal(with.Predict(0, 1, 120), back.Predict(0, 1, 120));
    }
}
