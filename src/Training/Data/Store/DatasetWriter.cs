using Apache.Arrow;
using Apache.Arrow.Ipc;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Data.Store;

/// <summary>How a dataset is laid out on disk.</summary>
/// <param name="RowsPerBatch">Rows per Arrow record batch: the unit of streaming and of shuffling.</param>
/// <param name="BatchesPerFile">Record batches per Arrow file: files are written (and read) in parallel.</param>
/// <param name="CompressionLevel">ZSTD level; 1 is fast and already shrinks the sorted columns well.</param>
public sealed record StoreOptions(int RowsPerBatch = 1 << 18, int BatchesPerFile = 16, int CompressionLevel = 1, int Parallelism = 2)
{
    public static StoreOptions Default { get; } = new();
}

/// <summary>
/// Writes a <see cref="NetflixDataset"/> as a directory of ZSTD-compressed Arrow IPC files plus manifest.json.
/// Everything is written into a temporary sibling directory that is renamed at the end: a failure leaves nothing behind.
/// </summary>
public static class DatasetWriter
{
    public static DatasetManifest Write(NetflixDataset dataset, string directory, StoreOptions options, string sourceDescription)
    {
        OutputDirectory.EnsureAbsentOrEmpty(directory);
        return OutputDirectory.WriteAtomically(directory, temp =>
        {
            var jobs = new List<(DatasetPartition Partition, int File, int Start, int Length)>();
            AddJobs(jobs, DatasetPartition.Train, dataset.Train.Count, options);
            AddJobs(jobs, DatasetPartition.Probe, dataset.Probe.Count, options);
            AddJobs(jobs, DatasetPartition.Qualifying, dataset.Qualifying.Count, options);
            var files = new PartitionFile[jobs.Count];
            string fingerprint = string.Empty;

            ParallelWork.Invoke(options.Parallelism,
                () => ParallelWork.For(jobs.Count, options.Parallelism, j =>
                {
                    (DatasetPartition partition, int file, int start, int length) = jobs[j];
                    string name = $"{DatasetManifest.PartitionName(partition)}/part-{file:D5}.arrow";
                    (Schema schema, Func<int, int, RecordBatch> slice) = BatchSource(dataset, partition);
                    files[j] = WriteFile(Path.Combine(temp, name), name, schema, start, length, slice, options);
                }),
                () => fingerprint = DatasetFingerprint.Of(dataset));

            WriteSingleBatch(Path.Combine(temp, "users.arrow"), DatasetSchema.Users, [ArrowColumns.Int32(dataset.Users.Ids)], options);
            WriteSingleBatch(Path.Combine(temp, "movies.arrow"), DatasetSchema.Movies, [ArrowColumns.Int32(dataset.Movies.Ids)], options);
            WriteSingleBatch(Path.Combine(temp, "titles.arrow"), DatasetSchema.Titles, TitleColumns(dataset.Titles), options);

            var partitions = Enum.GetValues<DatasetPartition>().Select(p =>
            {
                string name = DatasetManifest.PartitionName(p);
                PartitionFile[] own = [.. jobs.Select((job, i) => (job, i)).Where(x => x.job.Partition == p).Select(x => files[x.i])];
                return new PartitionInfo(name, own.Sum(f => f.Rows), own);
            }).ToArray();

            var manifest = new DatasetManifest(
                DatasetSchema.Version, "probe", dataset.RatingCount, dataset.Users.Count, dataset.Movies.Count, dataset.Titles.Count,
                dataset.Train.Count, dataset.Probe.Count, dataset.Qualifying.Count, dataset.HasOracle,
                RatingStatistics.MeanOf(dataset.Train), DayNumber.Epoch.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                $"zstd-{options.CompressionLevel}", fingerprint, sourceDescription, partitions);
            File.WriteAllText(Path.Combine(temp, DatasetManifest.FileName), manifest.ToJson());
            return manifest;
        });
    }

    private static void AddJobs(List<(DatasetPartition, int, int, int)> jobs, DatasetPartition partition, int rows, StoreOptions options)
    {
        long rowsPerFile = (long)options.RowsPerBatch * options.BatchesPerFile;
        int file = 0;
        for (long start = 0; start < rows || (start == 0 && file == 0); start += rowsPerFile)
        {
            jobs.Add((partition, file++, (int)start, (int)Math.Min(rowsPerFile, rows - start)));
        }
    }

    private static (Schema, Func<int, int, RecordBatch>) BatchSource(NetflixDataset dataset, DatasetPartition partition) => partition switch
    {
        DatasetPartition.Train => (DatasetSchema.Ratings, (start, length) => RatingBatch(DatasetSchema.Ratings, dataset.Train.Slice(start, length), null)),
        DatasetPartition.Probe when dataset.HasOracle => (DatasetSchema.RatingsWithOracle,
            (start, length) => RatingBatch(DatasetSchema.RatingsWithOracle, dataset.Probe.Slice(start, length), dataset.ProbeOracle.Slice(start, length))),
        DatasetPartition.Probe => (DatasetSchema.Ratings, (start, length) => RatingBatch(DatasetSchema.Ratings, dataset.Probe.Slice(start, length), null)),
        _ => (DatasetSchema.Queries, (start, length) => new RecordBatch(DatasetSchema.Queries,
            [
                ArrowColumns.Int32(dataset.Qualifying.Users.Slice(start, length)),
                ArrowColumns.Int16(dataset.Qualifying.Movies.Slice(start, length)),
                ArrowColumns.Int16(dataset.Qualifying.Days.Slice(start, length)),
            ], length)),
    };

    private static RecordBatch RatingBatch(Schema schema, RatingTable rows, ReadOnlyMemory<float>? oracle)
    {
        List<IArrowArray> columns =
        [
            ArrowColumns.Int32(rows.Users),
            ArrowColumns.Int16(rows.Movies),
            ArrowColumns.UInt8(rows.Ratings),
            ArrowColumns.Int16(rows.Days),
        ];
        if (oracle is { } expected)
        {
            columns.Add(ArrowColumns.Float(expected));
        }

        return new RecordBatch(schema, columns, rows.Count);
    }

    private static PartitionFile WriteFile(string path, string name, Schema schema, int start, int length,
        Func<int, int, RecordBatch> slice, StoreOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int batches = 0;
        using (FileStream stream = File.Create(path))
        using (var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, IpcOptionsFor(options)))
        {
            writer.WriteStart();
            for (int offset = 0; offset < length; offset += options.RowsPerBatch)
            {
                using RecordBatch batch = slice(start + offset, Math.Min(options.RowsPerBatch, length - offset));
                writer.WriteRecordBatch(batch);
                batches++;
            }

            writer.WriteEnd();
        }

        return new PartitionFile(name, length, batches, new FileInfo(path).Length);
    }

    private static void WriteSingleBatch(string path, Schema schema, IArrowArray[] columns, StoreOptions options)
    {
        using FileStream stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, IpcOptionsFor(options));
        using var batch = new RecordBatch(schema, columns, columns[0].Length);
        writer.WriteRecordBatch(batch);
        writer.WriteEnd();
    }

    private static IArrowArray[] TitleColumns(IReadOnlyList<Netflix.MovieTitle> titles)
    {
        var ids = new Int32Array.Builder();
        var years = new Int16Array.Builder();
        var names = new StringArray.Builder();
        foreach (Netflix.MovieTitle title in titles)
        {
            ids.Append(title.MovieId);
            if (title.Year is int year)
            {
                years.Append((short)year);
            }
            else
            {
                years.AppendNull();
            }

            names.Append(title.Title);
        }

        return [ids.Build(), years.Build(), names.Build()];
    }

    internal static IpcOptions IpcOptionsFor(StoreOptions options) => new()
    {
        CompressionCodecFactory = ZstdCodecs.Instance,
        CompressionCodec = CompressionCodecType.Zstd,
        CompressionLevel = options.CompressionLevel,
    };
}
