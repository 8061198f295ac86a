using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// The dynamic batcher over the real server: batches formed under concurrency answer exactly what single calls answer,
/// calls that are cancelled or expire while queued leave without harming their batch, and the queue delay bound holds.
/// Batches are made deterministic by holding the first run in the batcher's test hook while the others queue.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class BatchingTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public BatchingTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Recommend_ConcurrentCallsBatched_EqualUnbatchedBitForBit()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--max-batch", "64"]);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Scores;
        using var gate = new ManualResetEventSlim();
        ConcurrentQueue<int> sizes = HoldEachRun(batcher, gate);
        const int Users = 20;

        Task<RecommendResponse> first = Recommend(server, 0);
        await WaitUntil(() => sizes.Count == 1);
        Task<RecommendResponse>[] queued = [.. Enumerable.Range(1, Users).Select(user => Recommend(server, user))];
        await WaitUntil(() => batcher.QueuedCount == Users);
        gate.Set();
        RecommendResponse[] batched = [await first, .. await Task.WhenAll(queued)];

        Assert.Equal([1, Users], sizes);
        batcher.BeforeRun = null;
        for (int user = 0; user <= Users; user++)
        {
            RecommendResponse single = await Recommend(server, user);
            Assert.Equal(single.Movies.Select(m => m.MovieId), batched[user].Movies.Select(m => m.MovieId));
            Assert.Equal(single.Movies.Select(m => m.Score), batched[user].Movies.Select(m => m.Score)); // exact: same graph, same row
        }
    }

    [Fact]
    public async Task Recommend_BatchFailsBeforeScoring_ItsCallsInternalAndTheModelKeepsAnswering()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Scores;
        // A failure outside the ONNX run (the hook runs where buffers are taken and metrics recorded).
        batcher.BeforeRun = _ => throw new InsufficientExecutionStackException("injected");

        RpcException failed = await Assert.ThrowsAsync<RpcException>(() => Recommend(server, 0));
        batcher.BeforeRun = null;
        RecommendResponse[] after = await Task.WhenAll(Enumerable.Range(0, 4).Select(user => Recommend(server, user)));

        Assert.Equal(StatusCode.Internal, failed.StatusCode);
        Assert.All(after, response => Assert.NotEmpty(response.Movies)); // the executor was given back
    }

    [Fact]
    public async Task Recommend_QueueFull_ResourceExhaustedAndTheQueuedOnesAnswered()
    {
        // --max-batch 1, one executor: at most 16 calls wait behind a run.
        await using TestServer server = await TestServer.StartAsync(_root, ["--max-batch", "1"]);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Scores;
        using var gate = new ManualResetEventSlim();
        ConcurrentQueue<int> sizes = HoldEachRun(batcher, gate);

        Task<RecommendResponse> running = Recommend(server, 0);
        await WaitUntil(() => sizes.Count == 1);
        Task<RecommendResponse>[] queued = [.. Enumerable.Range(1, 16).Select(user => Recommend(server, user))];
        await WaitUntil(() => batcher.QueuedCount == 16);
        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => Recommend(server, 17));
        gate.Set();
        RecommendResponse[] answered = [await running, .. await Task.WhenAll(queued)];

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.All(answered, response => Assert.NotEmpty(response.Movies));
    }

    [Fact]
    public async Task Predict_ConcurrentCallsBatched_EqualUnbatchedBitForBit()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Pairs;
        using var gate = new ManualResetEventSlim();
        ConcurrentQueue<int> sizes = HoldEachRun(batcher, gate);

        Task<PredictResponse> first = Predict(server, 0);
        await WaitUntil(() => sizes.Count == 1);
        Task<PredictResponse>[] queued = [.. Enumerable.Range(1, 8).Select(user => Predict(server, user))];
        await WaitUntil(() => batcher.QueuedCount == 8);
        gate.Set();
        PredictResponse[] batched = [await first, .. await Task.WhenAll(queued)];

        Assert.Equal([1, 8], sizes);
        batcher.BeforeRun = null;
        for (int user = 0; user <= 8; user++)
        {
            Assert.Equal((await Predict(server, user)).Ratings, batched[user].Ratings);
        }
    }

    [Fact]
    public async Task Recommend_CancelledAndExpiredWhileQueued_LeaveTheBatchOthersAnswered()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Scores;
        using var gate = new ManualResetEventSlim();
        ConcurrentQueue<int> sizes = HoldEachRun(batcher, gate);

        Task<RecommendResponse> first = Recommend(server, 0);
        await WaitUntil(() => sizes.Count == 1);
        using var cancel = new CancellationTokenSource();
        Task<RecommendResponse> cancelled = Recommend(server, 1, cancellationToken: cancel.Token);
        Task<RecommendResponse> expiring = Recommend(server, 2, deadline: DateTime.UtcNow.AddMilliseconds(300));
        Task<RecommendResponse>[] others = [Recommend(server, 3), Recommend(server, 4), Recommend(server, 5)];
        await WaitUntil(() => batcher.QueuedCount == 5);
        await cancel.CancelAsync();
        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => cancelled)).StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, (await Assert.ThrowsAsync<RpcException>(() => expiring)).StatusCode);
        await WaitUntil(() => batcher.QueuedCount == 3); // the server has seen both leave (the client knows first)
        gate.Set();
        RecommendResponse[] answered = [await first, .. await Task.WhenAll(others)];

        // The two that left were skipped, not scored: the next batch held the three others.
        Assert.Equal([1, 3], sizes);
        batcher.BeforeRun = null;
        int[] users = [0, 3, 4, 5];
        for (int i = 0; i < users.Length; i++)
        {
            Assert.Equal((await Recommend(server, users[i])).Movies, answered[i].Movies);
        }
    }

    [Fact]
    public async Task Recommend_CallerLeavesRunningBatchOfRetiredModel_SessionOutlivesTheRun()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        ServedModel model = server.Registry.Current.Models["mf"];
        using var firstRun = new ManualResetEventSlim();
        using var secondRun = new ManualResetEventSlim();
        bool? disposedDuringRun = null;
        int runs = 0;
        model.Scores.BeforeRun = _ =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                firstRun.Wait(Patience);
                return;
            }

            secondRun.Wait(Patience);
            disposedDuringRun = model.IsDisposed;
        };

        // The first call runs its batch on its own request thread; the second queues behind it and so runs on a
        // thread-pool executor, whose run is held while its only caller leaves.
        Task<RecommendResponse> first = Recommend(server, 0);
        await WaitUntil(() => Volatile.Read(ref runs) == 1);
        using var cancel = new CancellationTokenSource();
        Task<RecommendResponse> second = Recommend(server, 1, cancellationToken: cancel.Token);
        await WaitUntil(() => model.Scores.QueuedCount == 1);
        firstRun.Set();
        await first;
        await WaitUntil(() => Volatile.Read(ref runs) == 2);
        await cancel.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => second);

        // Retired with no caller left: nothing but the held run keeps the session open.
        Directory.Delete(Path.Combine(_root, "mf"), recursive: true);
        await server.WaitForAsync(scan => !scan.Snapshot.Models.ContainsKey("mf"), Patience);
        await Task.Delay(200); // the cancelled call's handler releases its reference
        secondRun.Set();

        await WaitUntil(() => model.IsDisposed);
        Assert.False(disposedDuringRun);
    }

    [Fact]
    public async Task Recommend_RunInFlight_QueuedCallWaitsAtMostMaxDelay()
    {
        // Two executors: while one run is held, the second executor may wait for its batch to fill, but only 200 ms.
        await using TestServer server = await TestServer.StartAsync(_root, ["--batch-executors", "2", "--max-queue-delay-us", "200000"]);
        DynamicBatcher batcher = server.Registry.Current.Models["mf"].Scores;
        using var gate = new ManualResetEventSlim();
        var runs = new ConcurrentQueue<(int Size, long At)>();
        batcher.BeforeRun = size =>
        {
            runs.Enqueue((size, Stopwatch.GetTimestamp()));
            if (runs.Count == 1)
            {
                gate.Wait(Patience);
            }
        };

        Task<RecommendResponse> held = Recommend(server, 0);
        await WaitUntil(() => runs.Count == 1);
        long sent = Stopwatch.GetTimestamp();
        RecommendResponse second = await Recommend(server, 1);
        bool heldStillRunning = !gate.IsSet;
        gate.Set();
        await held;

        Assert.True(heldStillRunning, "the queued call must not wait for the held run to end");
        Assert.Equal(2, runs.Count);
        TimeSpan waited = Stopwatch.GetElapsedTime(sent, runs.ToArray()[1].At);
        Assert.InRange(waited.TotalMilliseconds, 195, 200 + 5000); // the upper slack is for a loaded test machine
        Assert.Equal(10, second.Movies.Count);
    }

    [Fact]
    public async Task Recommend_IdleModelWithMaxDelay_DispatchedWithoutWaiting()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--batch-executors", "2", "--max-queue-delay-us", "1000000"]);
        var started = Stopwatch.StartNew();

        await Recommend(server, 0);

        // With no run in flight nothing can join the batch, so the call must not sit out the 1 s delay.
        Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(900), $"took {started.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task ListModels_ReportsBatchingSettings()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--max-batch", "32", "--max-queue-delay-us", "2500", "--batch-executors", "2"]);

        ModelInfo info = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single();

        Assert.Equal(32, info.MaxBatch);
        Assert.Equal(2500, info.MaxQueueDelayUs);
        Assert.Equal(2, info.BatchExecutors);
        Assert.Equal("fold_in", info.RatingsInput);
        Assert.True(info.SimilarMovies);
    }

    /// <summary>Makes every run of <paramref name="batcher"/> record its batch size, then wait for <paramref name="gate"/>:
    /// calls arriving meanwhile queue for the next batch.</summary>
    private static ConcurrentQueue<int> HoldEachRun(DynamicBatcher batcher, ManualResetEventSlim gate)
    {
        var sizes = new ConcurrentQueue<int>();
        batcher.BeforeRun = size =>
        {
            sizes.Enqueue(size);
            gate.Wait(Patience);
        };
        return sizes;
    }

    private Task<RecommendResponse> Recommend(TestServer server, int user, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = 10, Model = "mf" },
            deadline: deadline, cancellationToken: cancellationToken).ResponseAsync;

    private Task<PredictResponse> Predict(TestServer server, int user)
    {
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[user], Model = "mf" };
        request.MovieIds.Add(_artifacts.MovieIds.Skip(user).Take(5));
        return server.Client.PredictAsync(request).ResponseAsync;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, "timed out waiting for the batcher");
            await Task.Delay(5);
        }
    }
}
