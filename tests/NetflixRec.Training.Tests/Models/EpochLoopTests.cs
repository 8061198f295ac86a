using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Models;

/// <summary>The one epoch loop: early stopping, keeping the best or the last epoch, the learning curve it reports.</summary>
public sealed class EpochLoopTests
{
    private static readonly TrainingData s_data = MfFixtures.LowRank(users: 6, movies: 5, rank: 1, observed: 0.8, seed: 1).Data;

    private static BiasConfig Options(int maxEpochs, int patience) =>
        ModelConfig.DefaultsOf<BiasConfig>(BiasBaseline.Name) with { MaxEpochs = maxEpochs, Patience = patience };

    [Fact]
    public void Run_ValidationWorsens_StopsAfterPatienceAndKeepsTheBestEpoch()
    {
        double[] validation = [0.9, 0.8, 0.85, 0.86, 0.87, 0.5];
        var kept = new List<int>();
        int current = 0;
        var reported = new List<EpochRecord>();

        EpochRun<int> run = EpochLoop.Run(Options(maxEpochs: 6, patience: 2), s_data, new Recorder(reported), new EpochSteps<int>(
            epoch =>
            {
                current = epoch;
                return 1.0 / epoch;
            },
            () => validation[current - 1],
            () =>
            {
                kept.Add(current);
                return current;
            }));

        Assert.Equal(2, run.KeptEpoch);
        Assert.Equal(2, run.Kept);
        Assert.Equal([1, 2], kept);
        Assert.Equal([1, 2, 3, 4], run.Curve.Select(c => c.Epoch));
        Assert.Equal(run.Curve, reported);
        Assert.Equal(0.25, run.Curve[3].TrainRmse);
        Assert.Equal(0.86, run.Curve[3].ValidationRmse);
    }

    [Fact]
    public void Run_NoValidationSlice_RunsEveryEpochAndKeepsTheLast()
    {
        int current = 0;
        EpochRun<int> run = EpochLoop.Run(Options(maxEpochs: 4, patience: 1), s_data, MfFixtures.NoProgress, new EpochSteps<int>(
            epoch =>
            {
                current = epoch;
                return null;
            },
            () => double.NaN,
            () => current,
            () => 10.0 + current));

        Assert.Equal(4, run.KeptEpoch);
        Assert.Equal(4, run.Kept);
        Assert.Equal([11.0, 12.0, 13.0, 14.0], run.Curve.Select(c => c.TrainRmse));
    }

    [Fact]
    public void Run_EpochWithoutATrainingRmse_IsAnError()
    {
        var steps = new EpochSteps<int>(_ => null, () => 1.0, () => 0);

        Assert.Throws<InvalidOperationException>(() => EpochLoop.Run(Options(2, 0), s_data, MfFixtures.NoProgress, steps));
    }

    [Fact]
    public void RunAll_KeepsTheLastEpochEvenWhenValidationWorsens()
    {
        IRatingModel[] models = [.. Enumerable.Range(0, 3).Select(_ => Constant(5))];
        var config = ModelConfig.DefaultsOf<Training.Models.Autoencoders.MultVaeConfig>("mult-vae") with { MaxEpochs = 3 };

        TrainedModel trained = EpochLoop.RunAll(config, s_data, MfFixtures.NoProgress, epoch => new EpochOutcome(models[epoch - 1], 0.1 * epoch));

        Assert.Same(models[2], trained.Model);
        Assert.Equal(3, trained.BestEpoch);
        Assert.Equal([1, 2, 3], trained.Curve.Select(c => c.Epoch));
        Assert.Equal(0.3, trained.Curve[2].TrainRmse, 12);
        Assert.Equal(3, trained.Hyperparameters["max_epochs"]!.GetValue<int>());
        Assert.True(trained.Hyperparameters.ContainsKey("latent"), "the hyperparameters are the config's own fields, not only the shared ones");
    }

    [Fact]
    public void Run_StartsTheBudgetOnEveryEpoch()
    {
        var budget = new EpochBudget(0.5);
        var seen = new List<double>();
        EpochLoop.Run(Options(3, 0), s_data with { Budget = budget }, MfFixtures.NoProgress, new EpochSteps<int>(
            _ =>
            {
                seen.Add(budget.Done);
                Assert.True(budget.Allows(1, 4));
                Assert.True(budget.Allows(2, 4));
                Assert.False(budget.Allows(3, 4));
                return 1;
            },
            () => 1,
            () => 0));

        Assert.Equal([0.0, 0.0, 0.0], seen);
    }

    private static IRatingModel Constant(int movies) =>
        new Training.Models.Scoring.FactorModel("constant", ModelFamily.Baseline, 3, new float[6], new float[movies], 0, Array.Empty<float>(), Array.Empty<float>());

    private sealed class Recorder(List<EpochRecord> records) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => records.Add(value);
    }
}
