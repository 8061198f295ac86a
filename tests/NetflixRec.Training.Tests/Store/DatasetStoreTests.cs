using Apache.Arrow;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Tests.Store;

public sealed class DatasetStoreTests
{
    private static readonly StoreOptions s_smallBatches = StoreOptions.Default with { RowsPerBatch = 100, BatchesPerFile = 3 };

    [Fact]
    public void WriteThenLoad_ManyFilesAndBatches_IsLossless()
    {
        using var dir = new TempDirectory();
        NetflixDataset dataset = RandomDataset(rows: 1234, seed: 7, withOracle: true);

        DatasetManifest manifest = DatasetWriter.Write(dataset, dir.Combine("ds"), s_smallBatches, "test");
        NetflixDataset loaded = LocalDataset.Open(dir.Combine("ds")).Load();

        Assert.True(manifest.PartitionOf(DatasetPartition.Train).Files.Count > 1);
        AssertSame(dataset.Train, loaded.Train);
        AssertSame(dataset.Probe, loaded.Probe);
        Assert.Equal(dataset.ProbeOracle.ToArray(), loaded.ProbeOracle.ToArray());
        Assert.Equal(dataset.Qualifying.Users.ToArray(), loaded.Qualifying.Users.ToArray());
        Assert.Equal(dataset.Qualifying.Days.ToArray(), loaded.Qualifying.Days.ToArray());
        Assert.Equal(dataset.Users.Ids.ToArray(), loaded.Users.Ids.ToArray());
        Assert.Equal(dataset.Titles, loaded.Titles);
        Assert.Equal(manifest.Fingerprint, DatasetFingerprint.Of(loaded));
    }

    [Fact]
    public void Fingerprint_OneRatingChanged_Changes()
    {
        NetflixDataset dataset = RandomDataset(rows: 300, seed: 3, withOracle: false);
        byte[] ratings = dataset.Train.Ratings.ToArray();
        ratings[17] = (byte)(ratings[17] % 5 + 1);

        NetflixDataset changed = dataset with { Train = dataset.Train with { Ratings = ratings } };

        Assert.NotEqual(DatasetFingerprint.Of(dataset), DatasetFingerprint.Of(changed));
    }

    [Fact]
    public async Task ReadAsync_Shuffled_SameRowsDifferentOrderAndDeterministic()
    {
        using var dir = new TempDirectory();
        NetflixDataset dataset = RandomDataset(rows: 1000, seed: 11, withOracle: false);
        DatasetWriter.Write(dataset, dir.Combine("ds"), s_smallBatches, "test");
        LocalDataset local = LocalDataset.Open(dir.Combine("ds"));

        List<long> plain = await Keys(local.ReadAsync(DatasetPartition.Train));
        List<long> shuffledA = await Keys(local.WithShuffle(5).ReadAsync(DatasetPartition.Train));
        List<long> shuffledB = await Keys(local.WithShuffle(5).ReadAsync(DatasetPartition.Train));
        List<long> shuffledC = await Keys(local.WithShuffle(6).ReadAsync(DatasetPartition.Train));

        Assert.Equal(shuffledA, shuffledB);
        Assert.NotEqual(plain, shuffledA);
        Assert.NotEqual(shuffledA, shuffledC);
        Assert.Equal(plain.Order(), shuffledA.Order());
    }

    [Fact]
    public async Task ReadAsync_Batches_HaveTheDatasetSchemaAndBoundedSize()
    {
        using var dir = new TempDirectory();
        DatasetWriter.Write(RandomDataset(rows: 500, seed: 2, withOracle: true), dir.Combine("ds"), s_smallBatches, "test");
        LocalDataset local = LocalDataset.Open(dir.Combine("ds"));

        await foreach (RecordBatch batch in local.ReadAsync(DatasetPartition.Probe))
        {
            using (batch)
            {
                Assert.True(batch.Length <= 100);
                Assert.Equal(DatasetSchema.RatingsWithOracle.FieldsList.Select(f => f.Name), batch.Schema.FieldsList.Select(f => f.Name));
            }
        }
    }

    [Fact]
    public void Open_NotADataset_NamesTheManifestPath()
    {
        using var dir = new TempDirectory();

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => LocalDataset.Open(dir.Path));

        Assert.Contains(Path.Combine(dir.Path, "manifest.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_FailureMidway_LeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        NetflixDataset dataset = RandomDataset(rows: 200, seed: 1, withOracle: false);
        // A qualifying day column shorter than its user column makes the writer fail after it has started writing files.
        NetflixDataset broken = dataset with { Qualifying = dataset.Qualifying with { Days = dataset.Qualifying.Days[..^1] } };

        Assert.ThrowsAny<Exception>(() => DatasetWriter.Write(broken, dir.Combine("ds"), s_smallBatches, "test"));

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    private static async Task<List<long>> Keys(IAsyncEnumerable<RecordBatch> batches)
    {
        var keys = new List<long>();
        await foreach (RecordBatch batch in batches)
        {
            using (batch)
            {
                ReadOnlySpan<int> users = ArrowColumns.Values<int>(batch, DatasetSchema.User);
                ReadOnlySpan<short> movies = ArrowColumns.Values<short>(batch, DatasetSchema.Movie);
                for (int i = 0; i < batch.Length; i++)
                {
                    keys.Add(((long)users[i] << 16) | (ushort)movies[i]);
                }
            }
        }

        return keys;
    }

    private static void AssertSame(RatingTable expected, RatingTable actual)
    {
        Assert.Equal(expected.Users.ToArray(), actual.Users.ToArray());
        Assert.Equal(expected.Movies.ToArray(), actual.Movies.ToArray());
        Assert.Equal(expected.Ratings.ToArray(), actual.Ratings.ToArray());
        Assert.Equal(expected.Days.ToArray(), actual.Days.ToArray());
    }

    internal static NetflixDataset RandomDataset(int rows, int seed, bool withOracle)
    {
        var random = new Random(seed);
        const int Users = 97, Movies = 31;
        RatingTable Table(int n) => new(
            Enumerable.Range(0, n).Select(_ => random.Next(Users)).ToArray(),
            Enumerable.Range(0, n).Select(_ => (short)random.Next(Movies)).ToArray(),
            Enumerable.Range(0, n).Select(_ => (byte)random.Next(1, 6)).ToArray(),
            Enumerable.Range(0, n).Select(_ => (short)random.Next(10_900, 13_100)).ToArray());
        RatingTable train = Table(rows), probe = Table(rows / 10);
        float[] oracle = withOracle ? Enumerable.Range(0, probe.Count).Select(_ => 1 + (4 * random.NextSingle())).ToArray() : [];
        var qualifying = new QueryTable(
            Enumerable.Range(0, rows / 7).Select(_ => random.Next(Users)).ToArray(),
            Enumerable.Range(0, rows / 7).Select(_ => (short)random.Next(Movies)).ToArray(),
            Enumerable.Range(0, rows / 7).Select(_ => (short)random.Next(10_900, 13_100)).ToArray());
        var titles = Enumerable.Range(1, Movies).Select(m => new MovieTitle(m, m % 9 == 0 ? null : 1990 + m, $"Title {m}, the sequel")).ToArray();
        return new NetflixDataset(
            new IdMap(Enumerable.Range(0, Users).Select(u => (u * 7) + 3).ToArray()),
            new IdMap(Enumerable.Range(1, Movies).ToArray()),
            titles, train, probe, oracle, qualifying);
    }
}
