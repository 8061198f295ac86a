using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace NetflixRec.Serving;

/// <summary>
/// Triton-style dynamic batching of one model's calls of one <see cref="BatchKind"/>: concurrent calls queue, and each
/// ONNX run scores up to <see cref="BatchingSettings.MaxBatch"/> of them at once, so the movie-side weights stream from
/// memory once per batch instead of once per call. Top-k and exclusions are per call, after the batched scoring.
/// <para>No dispatcher thread: a call that finds an executor free runs the batch itself at once (an idle model answers
/// one call as fast as unbatched); calls arriving while the executors are busy queue and go in the next batch, which a
/// thread-pool work item runs as soon as an executor frees. Only while another run of the model is in flight may a
/// free executor wait (up to <see cref="BatchingSettings.MaxQueueDelayMicroseconds"/>, rounded down to whole
/// milliseconds) for its batch to fill; with one executor it never waits.</para>
/// </summary>
public sealed class DynamicBatcher : IDisposable
{
    private readonly string _model;
    private readonly BatchKind _kind;
    private readonly OnnxScorer _scorer;
    private readonly BatchingSettings _settings;
    private readonly ServingMetrics _metrics;
    private readonly long _maxDelayTicks;
    private readonly Func<bool> _holdModel;
    private readonly Action _releaseModel;
    private readonly object _gate = new();
    private readonly Queue<IBatchJob> _queue = new();
    private readonly ConcurrentBag<BatchBuffers> _buffers = [];
    private int _executors;
    private int _runsInFlight;

    /// <param name="holdModel">Takes a reference on the served model version for one run (false once it is released).</param>
    /// <param name="releaseModel">Drops that reference.</param>
    public DynamicBatcher(string model, BatchKind kind, OnnxScorer scorer, BatchingSettings settings, ServingMetrics metrics,
        Func<bool> holdModel, Action releaseModel)
    {
        _holdModel = holdModel;
        _releaseModel = releaseModel;
        _model = model;
        _kind = kind;
        _scorer = scorer;
        _settings = settings;
        _metrics = metrics;
        _maxDelayTicks = (long)(settings.MaxQueueDelayMicroseconds * (Stopwatch.Frequency / 1e6));
    }

    public BatchingSettings Settings => _settings;

    /// <summary>Live calls waiting in the queue (not yet in a running batch, not cancelled or expired).</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count(job => !job.IsCompleted);
            }
        }
    }

    /// <summary>Test hook: called with the batch size just before each ONNX run, on the executor's thread.</summary>
    internal Action<int>? BeforeRun { get; set; }

    /// <summary>Queues one call; the task ends with <paramref name="finish"/>'s answer for the call's scores, or
    /// cancelled as soon as <paramref name="cancellationToken"/> fires (the batch goes on for the others).</summary>
    public Task<T> Submit<T>(UserInput user, ReadOnlyMemory<int> pairMovies, BatchFinisher<T> finish, CancellationToken cancellationToken)
    {
        var job = new BatchJob<T>(user, pairMovies, finish, Stopwatch.GetTimestamp());
        job.WatchCancellation(cancellationToken);
        _metrics.BatchQueued(_model, 1);
        bool lead;
        lock (_gate)
        {
            if (_queue.Count >= _settings.MaxQueued)
            {
                job.Fail(new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"model '{_model}': {_queue.Count} calls already waiting; retry with backoff")));
                _metrics.BatchQueued(_model, -1);
                return job.Task;
            }

            _queue.Enqueue(job);
            lead = _executors < _settings.Executors;
            if (lead)
            {
                _executors++;
            }
            else if (_queue.Count >= _settings.MaxBatch)
            {
                Monitor.PulseAll(_gate); // a waiting executor's batch is full
            }
        }

        if (lead)
        {
            Drain();
        }

        return job.Task;
    }

    /// <summary>Runs one batch on the calling thread, then hands the executor to the thread pool if calls are waiting
    /// (so the caller's own answer is not held back by later batches).</summary>
    private void Drain()
    {
        List<IBatchJob>? batch = Take();
        if (batch is null)
        {
            return;
        }

        // The run holds the model version itself: every caller of the batch may have left (cancelled) and released
        // theirs, and a retired version's session must not be closed under a running batch. Whatever fails here fails
        // this batch's calls only: the bookkeeping below must always run, or the model would never answer again.
        try
        {
            if (_holdModel())
            {
                try
                {
                    Run(batch);
                }
                finally
                {
                    _releaseModel();
                }
            }
            else
            {
                FailAll(batch, new ObjectDisposedException(_model, "the model version was unloaded"));
            }
        }
#pragma warning disable CA1031 // e.g. out of memory for the batch buffers: the batch's calls get INTERNAL, the server goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FailAll(batch, e);
        }

        bool more;
        lock (_gate)
        {
            _runsInFlight--;
            Monitor.PulseAll(_gate); // an executor waiting for a fuller batch need not wait any longer
            more = _queue.Count > 0;
            if (!more)
            {
                _executors--;
            }
        }

        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static batcher => batcher.Drain(), this, preferLocal: false);
        }
    }

    private void FailAll(List<IBatchJob> batch, Exception exception)
    {
        foreach (IBatchJob job in batch)
        {
            job.Fail(exception);
        }

        _metrics.BatchQueued(_model, -batch.Count);
    }

    /// <summary>The next batch (live jobs only, oldest first), or null when the queue is empty (the executor retires).</summary>
    private List<IBatchJob>? Take()
    {
        var batch = new List<IBatchJob>(Math.Min(_settings.MaxBatch, 64));
        int skipped = 0;
        lock (_gate)
        {
            while (_maxDelayTicks > 0 && _runsInFlight > 0 && _queue.Count is > 0 and var count && count < _settings.MaxBatch)
            {
                long remaining = _queue.Peek().EnqueuedAt + _maxDelayTicks - Stopwatch.GetTimestamp();
                int milliseconds = (int)(remaining * 1000 / Stopwatch.Frequency);
                if (milliseconds < 1)
                {
                    break;
                }

                Monitor.Wait(_gate, milliseconds);
            }

            while (batch.Count < _settings.MaxBatch && _queue.TryDequeue(out IBatchJob? job))
            {
                if (job.IsCompleted)
                {
                    skipped++; // cancelled or expired while queued
                    continue;
                }

                batch.Add(job);
            }

            if (batch.Count == 0)
            {
                _executors--;
            }
            else
            {
                _runsInFlight++;
            }
        }

        if (skipped > 0)
        {
            _metrics.BatchQueued(_model, -skipped);
        }

        return batch.Count == 0 ? null : batch;
    }

    private void Run(List<IBatchJob> batch)
    {
        long now = Stopwatch.GetTimestamp();
        foreach (IBatchJob job in batch)
        {
            _metrics.QueueDelay(_model, Stopwatch.GetElapsedTime(job.EnqueuedAt, now).TotalSeconds);
        }

        _metrics.BatchRan(_model, _kind, batch.Count);
        BeforeRun?.Invoke(batch.Count);
        BatchBuffers buffers = _buffers.TryTake(out BatchBuffers? pooled) ? pooled : _scorer.CreateBatchBuffers(_settings.MaxBatch, _kind);
        try
        {
            var users = new UserInput[batch.Count];
            for (int b = 0; b < batch.Count; b++)
            {
                users[b] = batch[b].User;
            }

            if (_kind == BatchKind.Scores)
            {
                RunScores(batch, users, buffers);
            }
            else
            {
                RunPairs(batch, users, buffers);
            }
        }
#pragma warning disable CA1031 // A failed run fails its own calls (INTERNAL), never the process or later batches.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (IBatchJob job in batch)
            {
                job.Fail(e);
            }
        }
        finally
        {
            _buffers.Add(buffers);
            _metrics.BatchQueued(_model, -batch.Count);
        }
    }

    private void RunScores(List<IBatchJob> batch, UserInput[] users, BatchBuffers buffers)
    {
        _scorer.ScoreBatch(users, buffers);
        for (int b = 0; b < batch.Count; b++)
        {
            batch[b].Complete(buffers.Row(b));
        }
    }

    private void RunPairs(List<IBatchJob> batch, UserInput[] users, BatchBuffers buffers)
    {
        int pairs = 0;
        foreach (IBatchJob job in batch)
        {
            pairs += job.PairMovies.Length;
        }

        long[] rows = ArrayPool<long>.Shared.Rent(pairs);
        long[] movies = ArrayPool<long>.Shared.Rent(pairs);
        float[] scores = ArrayPool<float>.Shared.Rent(pairs);
        try
        {
            int p = 0;
            for (int b = 0; b < batch.Count; b++)
            {
                foreach (int movie in batch[b].PairMovies.Span)
                {
                    rows[p] = b;
                    movies[p++] = movie;
                }
            }

            _scorer.ScorePairsBatch(users, rows.AsMemory(0, pairs), movies.AsMemory(0, pairs), scores.AsMemory(0, pairs), buffers);
            p = 0;
            foreach (IBatchJob job in batch)
            {
                job.Complete(scores.AsSpan(p, job.PairMovies.Length));
                p += job.PairMovies.Length;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(rows);
            ArrayPool<long>.Shared.Return(movies);
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    public void Dispose()
    {
        while (_buffers.TryTake(out BatchBuffers? buffers))
        {
            buffers.Dispose();
        }
    }
}
