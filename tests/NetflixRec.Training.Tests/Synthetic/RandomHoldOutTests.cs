using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>The random hold-out rule on its own, with a qualifying set too (the dense preset has none).</summary>
public sealed class RandomHoldOutTests
{
    private static readonly GeneratorOptions s_options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 9) with
    {
        HoldOutRule = HoldOutRule.Random,
        HeldOutShare = 0.3,
        QualifyingPerProbe = 2,
    };

    [Fact]
    public void Build_RandomWithQualifying_HoldsOutTheShareOneThirdProbe()
    {
        SyntheticDataset dataset = SyntheticNetflix.Build(s_options);
        long all = dataset.TrainingCount + dataset.QualifyingCount;
        long heldOut = dataset.ProbeCount + dataset.QualifyingCount;

        Assert.InRange(heldOut / (double)all, 0.299, 0.301);
        Assert.InRange(dataset.ProbeCount / (double)heldOut, 0.33, 0.34);
    }

    [Fact]
    public void Build_RandomWithQualifying_EveryUserAndMovieKeepsATrainingRating()
    {
        SyntheticDataset dataset = SyntheticNetflix.Build(s_options);
        var probe = dataset.Probe.SelectMany(b => b.Customers.ToArray().Select(c => (b.MovieId, c))).ToHashSet();
        var qualifying = dataset.Qualifying.SelectMany(b => b.Customers.ToArray().Select(c => (b.MovieId, c))).ToList();
        List<(int Movie, int Customer)> train = dataset.Training
            .SelectMany(b => b.Customers.ToArray().Select(c => (b.MovieId, c)))
            .Where(pair => !probe.Contains(pair))
            .ToList();
        var trainUsers = train.Select(p => p.Customer).ToHashSet();
        var trainMovies = train.Select(p => p.Movie).ToHashSet();

        Assert.Equal(dataset.CustomerIds.Count, trainUsers.Count);
        Assert.Equal(dataset.Training.Count, trainMovies.Count);
        Assert.DoesNotContain(qualifying, pair => probe.Contains(pair));
        Assert.All(dataset.Training, block => Assert.True(block.Count > 0, $"movie {block.MovieId} has no ratings"));
    }

    [Fact]
    public void Build_LatestPerUserAndRandom_HoldOutDifferentPairs()
    {
        SyntheticDataset random = SyntheticNetflix.Build(s_options);
        SyntheticDataset latest = SyntheticNetflix.Build(s_options with { HoldOutRule = HoldOutRule.LatestPerUser });

        // The rule changes only which pairs are held out: the same ratings were drawn.
        Assert.Equal(random.TrainingCount + random.QualifyingCount, latest.TrainingCount + latest.QualifyingCount);
        Assert.NotEqual(Pairs(random.Probe), Pairs(latest.Probe));
    }

    private static List<(int, int)> Pairs(IReadOnlyList<MovieQueries> blocks) =>
        blocks.SelectMany(b => b.Customers.ToArray().Select(c => (b.MovieId, c))).ToList();
}
