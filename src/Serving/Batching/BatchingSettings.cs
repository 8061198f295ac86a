namespace NetflixRec.Serving;

/// <summary>How one model's scoring calls are batched (see <see cref="DynamicBatcher"/>); from the serving options.</summary>
public sealed record BatchingSettings(int MaxBatch, int MaxQueueDelayMicroseconds, int Executors)
{
    public static BatchingSettings From(ServingOptions options) => new(options.MaxBatch, options.MaxQueueDelayMicroseconds, options.BatchExecutors);
}

/// <summary>What a batch computes: every movie's score per row (top-k calls) or the scores of given pairs (predict calls).</summary>
public enum BatchKind
{
    Scores,
    Pairs,
}
