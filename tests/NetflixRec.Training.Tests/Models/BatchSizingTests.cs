using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Models;

public sealed class BatchSizingTests
{
    [Theory]
    [InlineData(262_144, 99_072_112, 262_144)] // the Prize: the configured batch, 378 steps an epoch
    [InlineData(262_144, 80_000, 10_000)]      // a 100k dense set: 8 steps an epoch, not 1
    [InlineData(500, 943, 118)]                // mult-vae on 943 users: 8 steps, not 2
    [InlineData(8_192, 1_400_000, 8_192)]      // sage on small: already many steps
    [InlineData(64, 3, 1)]                     // fewer items than steps: one item a step
    public void ForEpoch_ShrinksBatchesOnlyWhereAnEpochWouldBeFewerThanEightSteps(int batch, int items, int expected)
    {
        int size = BatchSizing.ForEpoch(batch, items);

        Assert.Equal(expected, size);
        Assert.True((items + size - 1) / size >= Math.Min(items, BatchSizing.MinStepsPerEpoch));
    }
}
