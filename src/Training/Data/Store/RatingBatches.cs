using Apache.Arrow;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Data.Store;

/// <summary>Materializes streamed record batches (local or Flight) into compact columns.</summary>
public static class RatingBatches
{
    /// <summary>A whole ratings partition (train or probe) of any source as columns.</summary>
    public static RatingTable LoadRatings(IRatingBatchSource source, DatasetPartition partition) =>
        ToTableAsync(source.ReadAsync(partition), checked((int)source.Manifest.PartitionOf(partition).Rows)).AsTask().GetAwaiter().GetResult();

    /// <summary>The probe oracle (aligned with the probe rows) of any source; empty when the dataset has none.</summary>
    public static ReadOnlyMemory<float> LoadProbeOracle(IRatingBatchSource source) =>
        source.Manifest.HasOracle
            ? ColumnAsync<float>(source.ReadAsync(DatasetPartition.Probe), DatasetSchema.Oracle, checked((int)source.Manifest.Probe)).AsTask().GetAwaiter().GetResult()
            : ReadOnlyMemory<float>.Empty;

    /// <summary>The qualifying pairs of any source.</summary>
    public static QueryTable LoadQualifying(IRatingBatchSource source) =>
        ToQueriesAsync(source.ReadAsync(DatasetPartition.Qualifying), checked((int)source.Manifest.Qualifying)).AsTask().GetAwaiter().GetResult();

    public static async ValueTask<RatingTable> ToTableAsync(IAsyncEnumerable<RecordBatch> batches, int expectedRows, CancellationToken cancellationToken = default)
    {
        var users = new int[expectedRows];
        var movies = new short[expectedRows];
        var ratings = new byte[expectedRows];
        var days = new short[expectedRows];
        await CopyAllAsync(batches, expectedRows, (batch, at) =>
        {
            ArrowColumns.Values<int>(batch, DatasetSchema.User).CopyTo(users.AsSpan(at));
            ArrowColumns.Values<short>(batch, DatasetSchema.Movie).CopyTo(movies.AsSpan(at));
            ArrowColumns.Values<byte>(batch, DatasetSchema.Rating).CopyTo(ratings.AsSpan(at));
            ArrowColumns.Values<short>(batch, DatasetSchema.Day).CopyTo(days.AsSpan(at));
        }, cancellationToken).ConfigureAwait(false);
        return new RatingTable(users, movies, ratings, days);
    }

    public static async ValueTask<QueryTable> ToQueriesAsync(IAsyncEnumerable<RecordBatch> batches, int expectedRows, CancellationToken cancellationToken = default)
    {
        var users = new int[expectedRows];
        var movies = new short[expectedRows];
        var days = new short[expectedRows];
        await CopyAllAsync(batches, expectedRows, (batch, at) =>
        {
            ArrowColumns.Values<int>(batch, DatasetSchema.User).CopyTo(users.AsSpan(at));
            ArrowColumns.Values<short>(batch, DatasetSchema.Movie).CopyTo(movies.AsSpan(at));
            ArrowColumns.Values<short>(batch, DatasetSchema.Day).CopyTo(days.AsSpan(at));
        }, cancellationToken).ConfigureAwait(false);
        return new QueryTable(users, movies, days);
    }

    public static async ValueTask<ReadOnlyMemory<T>> ColumnAsync<T>(IAsyncEnumerable<RecordBatch> batches, string column, int expectedRows, CancellationToken cancellationToken = default)
        where T : struct, IEquatable<T>
    {
        var values = new T[expectedRows];
        await CopyAllAsync(batches, expectedRows, (batch, at) => ArrowColumns.Values<T>(batch, column).CopyTo(values.AsSpan(at)), cancellationToken)
            .ConfigureAwait(false);
        return values;
    }

    /// <summary>
    /// Hands each batch and its first row's position to <paramref name="copy"/>, disposes it, and checks the rows add up
    /// to what the manifest lists (never more, never fewer).
    /// </summary>
    private static async ValueTask CopyAllAsync(IAsyncEnumerable<RecordBatch> batches, int expectedRows, Action<RecordBatch, int> copy,
        CancellationToken cancellationToken)
    {
        int at = 0;
        await foreach (RecordBatch batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            using (batch)
            {
                if (at + batch.Length > expectedRows)
                {
                    throw new InvalidDataException($"the partition holds more than the {expectedRows} rows its manifest lists");
                }

                copy(batch, at);
                at += batch.Length;
            }
        }

        if (at != expectedRows)
        {
            throw new InvalidDataException($"the partition holds {at} rows, its manifest lists {expectedRows}");
        }
    }
}
