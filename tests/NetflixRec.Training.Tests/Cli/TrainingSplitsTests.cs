using System.Runtime.CompilerServices;
using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>compare's training sets: shared by models with the same split, one held at a time, the loaded table split once.</summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class TrainingSplitsTests(TinyDataset tiny)
{
    [Fact]
    public void For_SameFractionAndSeed_ReturnsTheSameSetWithoutPreparingAgain()
    {
        var splits = new TrainingSplits(LocalDataset.Open(tiny.Dataset));

        TrainingData first = splits.For(0.02, 1);
        TrainingData second = splits.For(0.02, 1);

        Assert.Same(first, second);
        Assert.Equal(1, splits.Prepared);
    }

    [Fact]
    public void For_AnotherSplit_LetsThePreviousOneGo()
    {
        var splits = new TrainingSplits(LocalDataset.Open(tiny.Dataset));
        WeakReference previous = PrepareAndForget(splits, 0.02, 1);

        TrainingData next = splits.For(0.005, 1);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);

        Assert.False(previous.IsAlive, "the cache still holds the previous training set");
        Assert.Equal(2, splits.Prepared);
        Assert.Equal(TrainingData.Load(LocalDataset.Open(tiny.Dataset), 0.005, 1).Validation.Count, next.Validation.Count);
    }

    [Fact]
    public void For_AfterRelease_PreparesAgain()
    {
        var splits = new TrainingSplits(LocalDataset.Open(tiny.Dataset));
        WeakReference released = PrepareAndForget(splits, 0.02, 1);

        splits.Release();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        TrainingData again = splits.For(0.02, 1);

        Assert.False(released.IsAlive, "Release kept the training set");
        Assert.Equal(2, splits.Prepared);
        Assert.True(again.Train.Count > 0);
    }

    [Fact]
    public void For_LoadedTable_IsSplitOnceThenLetGo()
    {
        LocalDataset dataset = LocalDataset.Open(tiny.Dataset);
        (TrainingSplits splits, WeakReference loaded) = WithLoadedTable(dataset);

        TrainingData first = splits.For(0.02, 1);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);

        Assert.False(loaded.IsAlive, "the loaded training table outlived its split");
        TrainingData read = TrainingData.Load(dataset, 0.02, 1);
        Assert.Equal(read.Train.Users.ToArray(), first.Train.Users.ToArray());
        Assert.Equal(read.Validation.Ratings.ToArray(), first.Validation.Ratings.ToArray());
    }

    // Not inlined: no reference to the set or the table may stay in this test's own frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference PrepareAndForget(TrainingSplits splits, double fraction, int seed) => new(splits.For(fraction, seed));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TrainingSplits Splits, WeakReference Loaded) WithLoadedTable(LocalDataset dataset)
    {
        // The column array, not the table record: the split must not keep the loaded ratings themselves.
        RatingTable train = dataset.LoadRatings(DatasetPartition.Train);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(train.Users, out ArraySegment<int> users));
        return (new TrainingSplits(dataset, train), new WeakReference(users.Array));
    }
}
