namespace NetflixRec.Serving;

/// <summary>Turns a job's scores (its row of the batch's [batch × movies] scores, or its pair scores) into its answer.
/// The span belongs to the batch: it may be overwritten (exclusions) but not kept.</summary>
public delegate T BatchFinisher<T>(Span<float> scores);

/// <summary>One queued call as the batcher sees it, whatever its answer type.</summary>
internal interface IBatchJob
{
    UserInput User { get; }

    /// <summary>Movie indices to score (Pairs batches); empty for Scores batches.</summary>
    ReadOnlyMemory<int> PairMovies { get; }

    /// <summary>Stopwatch timestamp of the enqueue.</summary>
    long EnqueuedAt { get; }

    /// <summary>Answered, failed or cancelled: a completed job still in the queue is skipped.</summary>
    bool IsCompleted { get; }

    void Complete(Span<float> scores);

    void Fail(Exception exception);
}

/// <summary>A queued call and the task its caller awaits. Cancellation completes the task at once; the batcher skips
/// the job if it is still queued, and drops its answer if its batch is already running.</summary>
internal sealed class BatchJob<T> : IBatchJob
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BatchFinisher<T> _finish;
    private CancellationTokenRegistration _registration;

    public BatchJob(UserInput user, ReadOnlyMemory<int> pairMovies, BatchFinisher<T> finish, long enqueuedAt)
    {
        User = user;
        PairMovies = pairMovies;
        _finish = finish;
        EnqueuedAt = enqueuedAt;
    }

    public UserInput User { get; }
    public ReadOnlyMemory<int> PairMovies { get; }
    public long EnqueuedAt { get; }
    public Task<T> Task => _completion.Task;
    public bool IsCompleted => _completion.Task.IsCompleted;

    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((BatchJob<T>)state!)._completion.TrySetCanceled(token), this);
        }
    }

    public void Complete(Span<float> scores)
    {
        if (IsCompleted)
        {
            return;
        }

        try
        {
            _completion.TrySetResult(_finish(scores));
        }
#pragma warning disable CA1031 // A finisher's failure is that call's INTERNAL error, never the batch's.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _completion.TrySetException(e);
        }
        finally
        {
            _registration.Dispose();
        }
    }

    public void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
        _registration.Dispose();
    }
}
