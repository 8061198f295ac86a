using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Models;

/// <summary>
/// <see cref="TrainingData.Load(IRatingBatchSource, RatingTable, double, int)"/> over a table the caller already loaded
/// (compare's evaluation index) against reading the dataset again, and the no-validation path that keeps the table.
/// </summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class TrainingDataLoadTests(TinyDataset tiny)
{
    [Theory]
    [InlineData(0.02, 1)]
    [InlineData(0.005, 3)]
    [InlineData(0.0, 1)]
    public void Load_FromAlreadyLoadedTable_EqualsLoadingTheDataset(double fraction, int seed)
    {
        LocalDataset dataset = LocalDataset.Open(tiny.Dataset);
        TrainingData read = TrainingData.Load(dataset, fraction, seed);

        TrainingData shared = TrainingData.Load(dataset, dataset.LoadRatings(DatasetPartition.Train), fraction, seed);

        AssertSameTable(read.Train, shared.Train);
        AssertSameTable(read.Validation, shared.Validation);
        Assert.Equal(read.ImplicitOnly.Users.ToArray(), shared.ImplicitOnly.Users.ToArray());
        Assert.Equal(read.ImplicitOnly.Movies.ToArray(), shared.ImplicitOnly.Movies.ToArray());
        Assert.Equal(read.ImplicitOnly.Days.ToArray(), shared.ImplicitOnly.Days.ToArray());
        Assert.Equal(read.GlobalMean, shared.GlobalMean, 1e-12);
        Assert.Equal((read.Users, read.Movies, read.DataFingerprint), (shared.Users, shared.Movies, shared.DataFingerprint));
        Assert.True(read.Train.Count > 0);
        Assert.Equal(fraction > 0, read.Validation.Count > 0);
    }

    [Fact]
    public void Load_FromTableOfAnotherSize_IsRefusedNamingBothCounts()
    {
        LocalDataset dataset = LocalDataset.Open(tiny.Dataset);
        RatingTable train = dataset.LoadRatings(DatasetPartition.Train);

        var e = Assert.Throws<ArgumentException>(() => TrainingData.Load(dataset, train.Slice(0, train.Count - 1), 0.02, 1));

        Assert.Contains($"{train.Count - 1} rows", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{train.Count}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_WithoutValidation_KeepsTheTableItselfAndEqualsAnEmptySplit()
    {
        LocalDataset dataset = LocalDataset.Open(tiny.Dataset);
        RatingTable train = dataset.LoadRatings(DatasetPartition.Train);
        var none = new QueryTable(Array.Empty<int>(), Array.Empty<short>(), Array.Empty<short>());

        TrainingData data = TrainingData.Prepare(train, dataset.Manifest.Users, dataset.Manifest.Movies, none, "f", 0, seed: 1);

        // No copy of the ratings: the columns are the loaded ones (≈ 0.9 GB saved at Prize size).
        Assert.True(data.Train.Users.Span == train.Users.Span);
        Assert.Equal(0, data.Validation.Count);
        Split split = Splits.RandomRatio(train, 0, 1);
        AssertSameTable(split.Train, data.Train);
        Assert.Equal(RatingStatistics.MeanOf(split.Train), data.GlobalMean, 1e-12);
    }

    private static void AssertSameTable(RatingTable expected, RatingTable actual)
    {
        Assert.Equal(expected.Users.ToArray(), actual.Users.ToArray());
        Assert.Equal(expected.Movies.ToArray(), actual.Movies.ToArray());
        Assert.Equal(expected.Ratings.ToArray(), actual.Ratings.ToArray());
        Assert.Equal(expected.Days.ToArray(), actual.Days.ToArray());
    }
}
