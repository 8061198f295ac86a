using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Tests.Models;

public sealed class StepPatienceTests
{
    [Theory]
    [InlineData(3, 128, 8, 16)]   // a 100k set at 8 steps an epoch: 16 epochs cover 128 steps
    [InlineData(3, 128, 38, 4)]   // `medium` at 262,144 a batch: 4 epochs (152 steps)
    [InlineData(3, 128, 384, 3)]  // the Prize: the epochs already hold far more steps
    [InlineData(3, 0, 8, 3)]      // no step patience: the config's epochs
    [InlineData(3, 129, 8, 17)]   // rounded up, never short of the steps
    [InlineData(0, 128, 8, 0)]    // patience 0 (never stop early) stays 0
    public void Epochs_CoverTheStepsAndNeverFewerThanThePatience(int patience, int steps, long stepsPerEpoch, int expected)
    {
        Assert.Equal(expected, StepPatience.Epochs(patience, steps, stepsPerEpoch));
    }

    [Theory]
    [InlineData(-1, 0, 8)]
    [InlineData(3, -1, 8)]
    [InlineData(3, 128, 0)]
    public void Epochs_RefusesNegativeOrEmptyInputs(int patience, int steps, long stepsPerEpoch)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => StepPatience.Epochs(patience, steps, stepsPerEpoch));
    }

    [Theory]
    [InlineData(1000, 100, 1.0)]
    [InlineData(1000, 100, 0.25)]
    [InlineData(1000, 100, 0.3)]
    [InlineData(1001, 100, 1.0)]
    [InlineData(80_000, 262_144, 1.0)]  // shrunk to 8 steps
    [InlineData(80_000, 262_144, 0.5)]
    [InlineData(5, 262_144, 0.01)]
    [InlineData(99_999, 7, 0.04)]
    public void StepsPerEpoch_IsTheNumberOfBatchesAnEpochYields(int count, int batchSize, double share)
    {
        var budget = new EpochBudget(share);
        var batches = new ShuffledBatches(count, new Random(1), budget);
        budget.StartEpoch();

        int yielded = batches.NextEpoch(batchSize).Count();

        Assert.Equal(yielded, batches.StepsPerEpoch(batchSize, share));
    }
}
