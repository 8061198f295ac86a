using NetflixRec.Contracts;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="TimeSvdPlusPlus"/> (defaults in defaults.json). Rates and penalties per term, as in Koren 2009.</summary>
public sealed record TimeSvdPlusPlusConfig(
    int Factors,
    double LearningRate,
    double LearningRateDecay,
    double RegularizationFactors,
    double RegularizationBias,
    double InitStd,
    double Beta,
    int Bins,
    double AlphaLearningRate,
    double RegularizationAlpha,
    double DayLearningRate,
    double RegularizationDay,
    double BinLearningRate,
    double RegularizationBin,
    bool UserScaling,
    double ScaleLearningRate,
    double RegularizationScale,
    double RegularizationDayScale,
    bool DayFactors = false,
    double DayFactorLearningRate = 0,
    double RegularizationDayFactors = 0) : EarlyStoppingOptions;

/// <summary>
/// <c>timesvdpp</c>: Koren's timeSVD++ (KDD 2009) — the time-aware baseline of <see cref="TimeBias"/> plus
/// q_i·(p_u + α^p_u·dev_u(t) + |N(u)|^−½ Σ_{j∈N(u)} y_j), N(u) including the probe and qualifying pairs as in
/// <see cref="SvdPlusPlus"/>, and with <c>user_scaling</c> the movie bias scaled by c_u(t) = c_u + c_{u,t} (Koren 2009 eq. 10).
/// Trained by SGD user by user in the same way as svdpp (implicit sum once per user, y_j
/// gradient applied once per user, users in parallel, Hogwild on the movie side); with zero factors it is exactly the
/// time-aware baseline. The per-user-day factor offset p_{u,t} is an option (<c>day_factors</c>, off by default): it
/// costs k floats per user-day (k × 4 bytes × the Prize's ~25 M user-days) for Koren's last 0.001.
/// </summary>
public static class TimeSvdPlusPlus
{
    public const string Name = "timesvdpp";

    public static TrainedModel Train(TrainingData data, TimeSvdPlusPlusConfig config, IProgress<EpochRecord> progress) =>
        Train(Name, data, config, progress);

    internal static TrainedModel Train(string name, TrainingData data, TimeSvdPlusPlusConfig config, IProgress<EpochRecord> progress)
    {
        ArgumentNullException.ThrowIfNull(data);
        ConfigCheck.TrainingOptions(name, config);
        // time-bias trains through here with zero factors; timesvdpp needs at least one.
        ConfigCheck.Factors(name, name == Name ? config.Factors : 1, config.RegularizationFactors, config.RegularizationBias, config.InitStd, "init_std");
        ConfigCheck.LearningRate(name, config.LearningRate, config.LearningRateDecay);
        ConfigCheck.Require(config.Beta is > 0 and <= 1, name, "beta", "must lie in (0, 1]");
        ConfigCheck.Require(config.Bins is >= 1 and <= 1000, name, "bins", "must lie between 1 and 1000");
        foreach ((double value, string field) in new[]
        {
            (config.AlphaLearningRate, "alpha_learning_rate"), (config.DayLearningRate, "day_learning_rate"), (config.BinLearningRate, "bin_learning_rate"),
            (config.RegularizationAlpha, "regularization_alpha"), (config.RegularizationDay, "regularization_day"), (config.RegularizationBin, "regularization_bin"),
            (config.DayFactorLearningRate, "day_factor_learning_rate"), (config.RegularizationDayFactors, "regularization_day_factors"),
            (config.ScaleLearningRate, "scale_learning_rate"), (config.RegularizationScale, "regularization_scale"), (config.RegularizationDayScale, "regularization_day_scale"),
        })
        {
            ConfigCheck.Require(value >= 0 && double.IsFinite(value), name, field, "must be a finite number, not negative");
        }

        var state = TimeSgdState.Create(data, config);
        var random = new Random(config.Seed + 1);
        int threads = TrainingThreads.Resolve(config.Threads);
        int[] order = [.. Enumerable.Range(0, data.Users)];
        var rates = TimeRates.Of(config);
        return EpochLoop.Run(config, data, progress, _ =>
        {
            random.Shuffle(order);
            TimeRates epochRates = rates;
            var squaredErrors = new double[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
            {
                var scratch = new TimeSgdScratch(state.Factors);
                double sum = 0;
                for (int o = worker; o < order.Length; o += threads)
                {
                    sum += state.TrainUser(order[o], epochRates, scratch);
                }

                squaredErrors[worker] = sum;
            });
            rates = rates.Decayed((float)config.LearningRateDecay);
            // The training RMSE of the errors SGD met during the epoch: a second dated pass over every rating cost ~18 s
            // an epoch on the full Prize, eight times the SGD pass itself.
            return new EpochOutcome(state.Snapshot(name), Math.Sqrt(squaredErrors.Sum() / Math.Max(1, data.Train.Count)));
        }, model => model);
    }
}

/// <summary>The step sizes and penalties of one epoch (the decay scales every rate alike).</summary>
internal readonly record struct TimeRates(float Rate, float RegBias, float RegFactors, float AlphaRate, float RegAlpha, float DayRate, float RegDay, float BinRate, float RegBin,
    float ScaleRate = 0, float RegScale = 0, float RegDayScale = 0, float DayFactorRate = 0, float RegDayFactors = 0)
{
    public static TimeRates Of(TimeSvdPlusPlusConfig c) => new((float)c.LearningRate, (float)c.RegularizationBias, (float)c.RegularizationFactors,
        (float)c.AlphaLearningRate, (float)c.RegularizationAlpha, (float)c.DayLearningRate, (float)c.RegularizationDay, (float)c.BinLearningRate, (float)c.RegularizationBin,
        (float)c.ScaleLearningRate, (float)c.RegularizationScale, (float)c.RegularizationDayScale, (float)c.DayFactorLearningRate, (float)c.RegularizationDayFactors);

    public TimeRates Decayed(float decay) =>
        this with { Rate = Rate * decay, AlphaRate = AlphaRate * decay, DayRate = DayRate * decay, BinRate = BinRate * decay, ScaleRate = ScaleRate * decay, DayFactorRate = DayFactorRate * decay };
}

/// <summary>Per-thread buffers of the user loop.</summary>
internal sealed class TimeSgdScratch(int k)
{
    public float[] ImplicitSum { get; } = new float[k];

    public float[] ImplicitGradient { get; } = new float[k];

    public float[] UserFactor { get; } = new float[k];
}
