using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Data.Store;

/// <summary>
/// A dataset directory written by <see cref="DatasetWriter"/>. Streams record batches in stored order, or shuffled by a
/// seed (batch order and rows within each batch), and loads whole partitions as compact columns for trainers that need
/// random access.
/// </summary>
public sealed class LocalDataset : IRatingBatchSource
{
    private static readonly ZstdCodecs s_codecs = ZstdCodecs.Instance;

    private LocalDataset(string directory, DatasetManifest manifest, int? shuffleSeed)
    {
        Directory = directory;
        Manifest = manifest;
        ShuffleSeed = shuffleSeed;
    }

    public string Directory { get; }

    public DatasetManifest Manifest { get; }

    /// <summary>When set, <see cref="ReadAsync"/> yields batches in a seeded random order with rows permuted.</summary>
    public int? ShuffleSeed { get; }

    /// <summary>Opens a dataset directory; a missing or unreadable manifest, or one listing a file outside the directory, is an
    /// <see cref="InvalidDataException"/> naming the file.</summary>
    public static LocalDataset Open(string directory)
    {
        string path = Path.Combine(directory, DatasetManifest.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; is {directory} a dataset written by 'netflixrec ingest'?");
        }

        DatasetManifest manifest = DatasetManifest.FromJson(File.ReadAllText(path), path);
        if (manifest.SchemaVersion != DatasetSchema.Version)
        {
            throw new InvalidDataException($"{path}: schema version {manifest.SchemaVersion}, this build reads {DatasetSchema.Version}; re-run ingest");
        }

        ManifestPaths.Confine(manifest, directory, path);
        return new LocalDataset(directory, manifest, null);
    }

    public LocalDataset WithShuffle(int? seed) => new(Directory, Manifest, seed);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(DatasetPartition partition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        PartitionInfo info = Manifest.PartitionOf(partition);
        if (ShuffleSeed is not int seed)
        {
            foreach (PartitionFile file in info.Files)
            {
                using ArrowFileReader reader = OpenFile(file.Path);
                while (await reader.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
                {
                    yield return batch;
                }
            }

            yield break;
        }

        var random = new Random(seed);
        (int File, int Batch)[] order = [.. info.Files.SelectMany((f, i) => Enumerable.Range(0, f.Batches).Select(b => (i, b)))];
        random.Shuffle(order);
        foreach ((int fileIndex, int batchIndex) in order)
        {
            using ArrowFileReader reader = OpenFile(info.Files[fileIndex].Path);
            using RecordBatch batch = await reader.ReadRecordBatchAsync(batchIndex, cancellationToken).ConfigureAwait(false);
            int[] rows = [.. Enumerable.Range(0, batch.Length)];
            random.Shuffle(rows);
            yield return ArrowColumns.Permute(batch, rows);
        }
    }

    /// <summary>A whole ratings partition (train or probe) as columns, in stored order.</summary>
    public RatingTable LoadRatings(DatasetPartition partition) => RatingBatches.LoadRatings(WithShuffle(null), partition);

    /// <summary>The probe oracle (expected rating before noise, aligned with the probe rows); empty when the dataset has none.</summary>
    public ReadOnlyMemory<float> LoadProbeOracle() => RatingBatches.LoadProbeOracle(WithShuffle(null));

    public QueryTable LoadQualifying() => RatingBatches.LoadQualifying(WithShuffle(null));

    public IdMap LoadUsers() => new(ReadSingleColumn<int>("users.arrow", DatasetSchema.CustomerId));

    public IdMap LoadMovies() => new(ReadSingleColumn<int>("movies.arrow", DatasetSchema.MovieId));

    public IReadOnlyList<MovieTitle> LoadTitles()
    {
        using ArrowFileReader reader = OpenFile("titles.arrow");
        var titles = new List<MovieTitle>(Manifest.Titles);
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                var ids = (Int32Array)batch.Column(DatasetSchema.MovieId);
                var years = (Int16Array)batch.Column(DatasetSchema.Year);
                var names = (StringArray)batch.Column(DatasetSchema.Title);
                for (int i = 0; i < batch.Length; i++)
                {
                    titles.Add(new MovieTitle(ids.GetValue(i)!.Value, years.GetValue(i), names.GetString(i)));
                }
            }
        }

        return titles;
    }

    /// <summary>The whole dataset in memory, as ingest built it.</summary>
    public NetflixDataset Load() =>
        new(LoadUsers(), LoadMovies(), LoadTitles(), LoadRatings(DatasetPartition.Train), LoadRatings(DatasetPartition.Probe),
            LoadProbeOracle(), LoadQualifying());

    private T[] ReadSingleColumn<T>(string file, string column)
        where T : struct, IEquatable<T>
    {
        using ArrowFileReader reader = OpenFile(file);
        var values = new List<T>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                values.AddRange(ArrowColumns.Values<T>(batch, column));
            }
        }

        return [.. values];
    }

    private ArrowFileReader OpenFile(string relativePath)
    {
        string path = Path.Combine(Directory, relativePath);
        try
        {
            return new ArrowFileReader(File.OpenRead(path), s_codecs);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: listed in the manifest but missing; the dataset is incomplete");
        }
    }
}
