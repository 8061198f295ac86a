using Apache.Arrow;

namespace NetflixRec.Training.Data.Store;

/// <summary>
/// Where trainers get record batches from: a local dataset directory or an Arrow Flight endpoint serving one.
/// Batches arrive one at a time, so memory stays bounded by the batch size.
/// </summary>
public interface IRatingBatchSource
{
    DatasetManifest Manifest { get; }

    IAsyncEnumerable<RecordBatch> ReadAsync(DatasetPartition partition, CancellationToken cancellationToken = default);
}
