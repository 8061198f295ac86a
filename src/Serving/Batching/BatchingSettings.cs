namespace NetflixRec.Serving;

/// <summary>How one model's scoring calls are batched (see <see cref="DynamicBatcher"/>); from the serving options.</summary>
public sealed record BatchingSettings(int MaxBatch, int MaxQueueDelayMicroseconds, int Executors)
{
    /// <summary>Calls one batcher holds waiting at most (16 full batches per executor); beyond it a call is refused with
    /// RESOURCE_EXHAUSTED instead of growing the server's memory with every client that keeps sending.</summary>
    public int MaxQueued => 16 * MaxBatch * Executors;

    public static BatchingSettings From(ServingOptions options) => new(options.MaxBatch, options.MaxQueueDelayMicroseconds, options.BatchExecutors);
}

/// <summary>What a batch computes: every movie's score per row (top-k calls) or the scores of given pairs (predict calls).</summary>
public enum BatchKind
{
    Scores,
    Pairs,
}
