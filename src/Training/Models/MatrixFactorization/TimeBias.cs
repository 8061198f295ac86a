using NetflixRec.Contracts;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="TimeBias"/> (defaults in defaults.json): the bias terms of <see cref="TimeSvdPlusPlusConfig"/>.</summary>
public sealed record TimeBiasConfig(
    double LearningRate,
    double LearningRateDecay,
    double RegularizationBias,
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
    double RegularizationDayScale) : EarlyStoppingOptions;

/// <summary>
/// <c>time-bias</c>: Koren's time-aware baseline, r̂ = μ + b_u + α_u·dev_u(t) + b_{u,t} + (b_i + b_{i,Bin(t)})·c_u(t) — a user
/// drift, a per-user-day offset (the day's mood, zero on days not seen in training), a movie bias per time bin and, with
/// <c>user_scaling</c>, the user's scaling of the movie bias c_u(t) = c_u + c_{u,t} —
/// fitted by regularized SGD. It is <see cref="TimeSvdPlusPlus"/> with no factors, trained by the same loop.
/// </summary>
public static class TimeBias
{
    public const string Name = "time-bias";

    public static TrainedModel Train(TrainingData data, TimeBiasConfig config, IProgress<EpochRecord> progress)
    {
        ArgumentNullException.ThrowIfNull(config);
        var full = new TimeSvdPlusPlusConfig(0, config.LearningRate, config.LearningRateDecay, 0, config.RegularizationBias, 0,
            config.Beta, config.Bins, config.AlphaLearningRate, config.RegularizationAlpha, config.DayLearningRate, config.RegularizationDay,
            config.BinLearningRate, config.RegularizationBin, config.UserScaling, config.ScaleLearningRate, config.RegularizationScale,
            config.RegularizationDayScale)
        {
            MaxEpochs = config.MaxEpochs, Patience = config.Patience, ValidationFraction = config.ValidationFraction, Seed = config.Seed, Threads = config.Threads,
        };
        TrainedModel trained = TimeSvdPlusPlus.Train(Name, data, full, progress);
        return trained with { Hyperparameters = ModelConfig.ToJson(config) };
    }
}
