using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class HotReloadTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();
    private readonly ModelArtifacts _artifacts;

    public HotReloadTests(TrainedModels models)
    {
        _models = models;
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reload_NewVersionWrittenUnderConcurrentCalls_SwapsWithZeroFailedRequests()
    {
        string root = _models.CreateModelsRoot(_directory, ("live", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        string before = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single().Version;
        using var stop = new CancellationTokenSource();
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        int failures = 0;
        int calls = 0;

        async Task Caller(int seed)
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    long customer = _artifacts.CustomerIds[random.Next(_artifacts.UserCount)];
                    RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 10, Model = "live" });
                    var predict = new PredictRequest { CustomerId = customer, Model = "live" };
                    predict.MovieIds.Add(response.Movies.Select(m => m.MovieId));
                    await server.Client.PredictAsync(predict);
                    Interlocked.Add(ref calls, 2);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }

        Task[] callers = [.. Enumerable.Range(0, 8).Select(i => Task.Run(() => Caller(i)))];
        await Task.Delay(300);
        // Replace the served directory's files in place with another trained model, file by file, as an export re-run does.
        var reloaded = server.WaitForAsync(r => r.Loaded.Contains("live"), Timeout);
        TrainedModels.CopyDirectory(_models.Bias, Path.Combine(root, "live"));
        await reloaded;
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        ListModelsResponse after = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(0, failures);
        Assert.True(calls > 20, $"only {calls} calls ran");
        Assert.Equal("bias", after.Models.Single().Kind);
        Assert.NotEqual(before, after.Models.Single().Version);
    }

    [Fact]
    public async Task Reload_CallHoldingOldVersion_FinishesOnOldSessionWhichClosesAfterIt()
    {
        string root = _models.CreateModelsRoot(_directory, ("live", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        ServedModel old = server.Registry.Acquire("live")!; // what a call in flight holds

        var reloaded = server.WaitForAsync(r => r.Loaded.Contains("live"), Timeout);
        TrainedModels.CopyDirectory(_models.Bias, Path.Combine(root, "live"));
        await reloaded;
        ScoringBuffers buffers = old.Scorer.Rent();
        old.Scorer.ScoreAll(buffers, 0, CancellationToken.None); // the retired session still runs
        old.Scorer.Return(buffers);
        bool disposedWhileHeld = old.IsDisposed;
        old.Release();

        Assert.False(disposedWhileHeld);
        Assert.True(old.IsDisposed);
        Assert.NotSame(old, server.Registry.Current.Models["live"]);
        Assert.Equal("bias", server.Registry.Current.Models["live"].Artifacts.Manifest.Name);
    }

    [Fact]
    public async Task Reload_CorruptGraph_RejectedWhileOldVersionKeepsServing()
    {
        string root = _models.CreateModelsRoot(_directory, ("live", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        string before = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single().Version;
        long customer = _artifacts.CustomerIds[2];
        RecommendResponse expected = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 10, Model = "live" });

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("live"), Timeout);
        string onnx = Path.Combine(root, "live", ModelDirectory.Onnx);
        byte[] bytes = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, bytes.AsSpan(0, bytes.Length / 2).ToArray()); // a truncated copy
        await rejected;
        RecommendResponse actual = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 10, Model = "live" });
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(expected.Movies, actual.Movies);
        Assert.Equal(before, models.Models.Single().Version);
    }

    [Fact]
    public async Task Reload_ManifestDisagreesWithIdMaps_Rejected()
    {
        string root = _models.CreateModelsRoot(_directory, ("live", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("live"), Timeout);
        string manifestPath = Path.Combine(root, "live", ModelDirectory.Manifest);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        File.WriteAllText(manifestPath, (manifest with { Movies = manifest.Movies + 1 }).ToJson());
        await rejected;
        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2, Model = "live" });

        Assert.Equal(2, response.Movies.Count);
    }

    [Fact]
    public async Task Start_CorruptDirectoryBesideGoodOne_ServesTheGoodOneOnly()
    {
        string root = _models.CreateModelsRoot(_directory, ("good", _models.BiasedMf), ("broken", _models.Bias));
        File.WriteAllBytes(Path.Combine(root, "broken", ModelDirectory.Onnx), [1, 2, 3, 4]);
        File.Delete(Path.Combine(root, "broken", ModelDirectory.History));

        await using TestServer server = await TestServer.StartAsync(root);
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(["good"], models.Models.Select(m => m.Name));
    }

    [Fact]
    public async Task Reload_NewDirectoryAppears_LoadedAndCallable()
    {
        string root = _models.CreateModelsRoot(_directory, ("first", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);

        var loaded = server.WaitForAsync(r => r.Loaded.Contains("second"), Timeout);
        // Staged in a hidden folder, then moved into place: the registry never sees a half-copied directory.
        string staging = Path.Combine(root, ".staging");
        TrainedModels.CopyDirectory(_models.Bias, staging);
        Directory.Move(staging, Path.Combine(root, "second"));
        await loaded;
        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2, Model = "second" });

        Assert.Equal("second", response.Model);
    }

    [Fact]
    public async Task Reload_DirectoryRemoved_UnloadedThenNotFound()
    {
        string root = _models.CreateModelsRoot(_directory, ("keep", _models.BiasedMf), ("gone", _models.Bias));
        await using TestServer server = await TestServer.StartAsync(root);

        var removed = server.WaitForAsync(r => !r.Snapshot.Models.ContainsKey("gone"), Timeout);
        Directory.Delete(Path.Combine(root, "gone"), recursive: true);
        await removed;
        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 2, Model = "gone" }).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.NotFound, e.StatusCode);
    }
}
