using System.Text.Json.Nodes;
using NetflixRec.Training.Tuning;

namespace NetflixRec.Training.Tests.Tuning;

public sealed class PrunerTests
{
    private readonly SuccessiveHalvingPruner _pruner = new(minEpoch: 4, eta: 3, minPeers: 4);

    [Fact]
    public void IsRung_AtMinTimesPowersOfEta()
    {
        int[] rungs = [.. Enumerable.Range(1, 120).Where(_pruner.IsRung)];

        Assert.Equal([4, 12, 36, 108], rungs);
    }

    [Fact]
    public void ShouldPrune_BehindTheBestThirdAtARung_Prunes()
    {
        // Six peers whose best so far at epoch 4 is 0.915, 0.925, ... 0.965: with this trial seven values, the best
        // ⌊7/3⌋ = 2 go on.
        TrialRecord[] peers = [.. Enumerable.Range(0, 6).Select(i => Trial(i, TrialStatus.Complete, Curve(0.90 + (0.01 * i), 10)))];

        Assert.False(_pruner.ShouldPrune(4, 0.905, peers)); // best: goes on
        Assert.False(_pruner.ShouldPrune(4, 0.92, peers));  // second best: goes on
        Assert.True(_pruner.ShouldPrune(4, 0.93, peers));   // third best: stops
        Assert.False(_pruner.ShouldPrune(5, 0.99, peers));  // not a rung
    }

    [Fact]
    public void ShouldPrune_TooFewPeers_NeverPrunes()
    {
        TrialRecord[] peers = [.. Enumerable.Range(0, 3).Select(i => Trial(i, TrialStatus.Complete, Curve(0.80, 10)))];

        Assert.False(_pruner.ShouldPrune(4, 5.0, peers));
    }

    [Fact]
    public void ShouldPrune_PeersThatStoppedEarly_CountWithTheirFinalBest_PrunedOnesOnlyWhereTheyReached()
    {
        // Four trials that completed (early stopping) after 5 epochs at 0.80 count at rung 12 with their final best;
        // a pruned trial that stopped at epoch 4 does not count at rung 12.
        TrialRecord[] peers =
        [
            .. Enumerable.Range(0, 4).Select(i => Trial(i, TrialStatus.Complete, Curve(0.80, 5))),
            Trial(4, TrialStatus.Pruned, Curve(0.70, 4)),
        ];

        Assert.True(_pruner.ShouldPrune(12, 0.85, peers));
        Assert.False(_pruner.ShouldPrune(12, 0.80, peers));
    }

    [Fact]
    public void BestUpTo_TakesTheMinimumOfTheFirstEpochs()
    {
        TrialRecord trial = Trial(0, TrialStatus.Complete, [0.9, 0.85, double.NaN, 0.87, 0.8]);

        Assert.Equal(0.85, trial.BestUpTo(4));
        Assert.Equal(0.8, trial.BestUpTo(9));
        Assert.True(double.IsNaN(trial.BestUpTo(0)));
    }

    /// <summary>A learning curve that falls to <paramref name="floor"/> at its last epoch.</summary>
    private static double[] Curve(double floor, int epochs) => [.. Enumerable.Range(1, epochs).Select(e => floor + (0.1 / e) - (0.1 / epochs))];

    private static TrialRecord Trial(int number, TrialStatus status, double[] curve) =>
        new(number, new JsonObject(), status, curve.Where(double.IsFinite).Min(), curve, 1, 1);
}
