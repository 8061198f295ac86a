using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// Hyperparameters of <see cref="BiasedMfSgd"/> (defaults in defaults.json). The learning rate of epoch t (from 1) is
/// <paramref name="LearningRate"/> · <paramref name="LearningRateDecay"/>^(t−1). <paramref name="GridBlocks"/> is the
/// number of blocks per side of the FPSGD grid (0: chosen from the thread count).
/// </summary>
public sealed record BiasedMfConfig(
    int Factors,
    double LearningRate,
    double LearningRateDecay,
    double RegularizationFactors,
    double RegularizationBias,
    double InitStd,
    int GridBlocks) : EarlyStoppingOptions;

/// <summary>
/// Biased matrix factorization r̂ = μ + b_u + b_i + p_u·q_i, trained by stochastic gradient descent on the squared error
/// with L2 regularization (λ_b on the biases, λ_f on the factors) and a learning rate that decays per epoch.
/// Probabilistic matrix factorization (Salakhutdinov and Mnih) with Gaussian noise on the ratings and zero-mean
/// Gaussian priors on the biases and factors has exactly this regularized loss as its negative log posterior, so
/// this model is PMF's MAP estimate (λ = noise variance / prior variance).
/// Training is LIBMF's FPSGD: a shuffled block grid that threads work through without locks per rating, with a
/// fused SIMD kernel (<see cref="SgdKernel"/>: Vector512, else Vector256, else scalar, as the CPU accelerates). One thread
/// with a fixed seed is deterministic on a given machine.
/// </summary>
public static class BiasedMfSgd
{
    public const string Name = "biased-mf";

    public static TrainedModel Train(TrainingData data, BiasedMfConfig config, IProgress<EpochRecord> progress)
    {
        Validate(config);
        int threads = TrainingThreads.Resolve(config.Threads);
        using SgdEngine engine = SgdEngine.Create(data.Train, data.Users, data.Movies, (float)data.GlobalMean, config.Factors,
            (float)config.InitStd, GridSide(config.GridBlocks, threads), threads, config.Seed);

        // Without a validation slice every epoch is the best: the last one is kept and nothing is copied aside.
        bool keepBest = data.Validation.Count > 0;
        int current = 0;
        EpochRun<int> run = EpochLoop.Run(config, data, progress, new EpochSteps<int>(
            epoch =>
            {
                current = epoch;
                return engine.RunEpoch(epoch, StepOf(config, epoch)).TrainRmse;
            },
            () => keepBest ? engine.Rmse(data.Validation) : double.NaN,
            () =>
            {
                if (keepBest)
                {
                    engine.SaveBest();
                }

                return current;
            }));

        engine.ReleaseRatings();
        FactorModel model = keepBest ? engine.SnapshotSaved(Name) : engine.Snapshot(Name);
        return new TrainedModel(model, run.Curve, run.KeptEpoch, ModelConfig.ToJson(config));
    }

    /// <summary>The SGD step of an epoch (from 1): the learning rate decayed geometrically.</summary>
    internal static SgdStep StepOf(BiasedMfConfig config, int epoch) =>
        new((float)(config.LearningRate * Math.Pow(config.LearningRateDecay, epoch - 1)),
            (float)config.RegularizationFactors, (float)config.RegularizationBias);

    /// <summary>
    /// Blocks per side: with T threads FPSGD needs more than T so that a free block exists whenever a thread finishes;
    /// a few times T keeps the wait at the end of an epoch short, and small blocks keep q_i of a block in L2.
    /// </summary>
    internal static int GridSide(int gridBlocks, int threads) => gridBlocks > 0 ? gridBlocks : Math.Max(8, 4 * threads);

    internal static void Validate(BiasedMfConfig config)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Factors(Name, config.Factors, config.RegularizationFactors, config.RegularizationBias, config.InitStd, "init_std");
        ConfigCheck.LearningRate(Name, config.LearningRate, config.LearningRateDecay);
        ConfigCheck.Require(config.GridBlocks >= 0, Name, "grid_blocks", "must not be negative (0: automatic)");
    }
}
