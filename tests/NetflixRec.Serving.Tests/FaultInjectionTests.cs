using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;
using Onnx;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// Faults injected into a running server while a steady stream of Recommend / Predict / RecommendMany calls goes to
/// another model: damaged files dropped in during (re)load, a directory deleted while serving, files made unreadable,
/// a graph that loads but makes ONNX Runtime throw at run time. Each test asserts zero failed calls for the other model,
/// the right status for the broken one, and a server that still answers afterwards.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class FaultInjectionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();
    private readonly ModelArtifacts _artifacts;

    public FaultInjectionTests(TrainedModels models)
    {
        _models = models;
        _artifacts = ModelArtifacts.Load(models.Bias);
    }

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> Damages => new(DamageKinds);

    private static readonly string[] DamageKinds =
    [
        "onnx-random-bytes", "onnx-truncated", "onnx-empty", "onnx-oversized-sparse-3gb", "manifest-truncated", "manifest-not-json",
        "users-truncated", "movies-truncated", "history-truncated", "titles-random-bytes", "history-missing",
    ];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Load_DamagedDirectoryDroppedInUnderTraffic_RejectedAsNotFoundOthersUnaffected(string damage)
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic traffic = Traffic.Start(server, "steady", _artifacts);

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("victim"), Timeout);
        string staging = Path.Combine(root, ".staging");
        TrainedModels.CopyDirectory(_models.Bias, staging);
        Damage(staging, damage);
        Directory.Move(staging, Path.Combine(root, "victim"));
        await rejected;
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => Recommend(server, "victim", 1));
        (int calls, int failures, string? first) = await traffic.StopAsync();

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(0, failures);
        Assert.True(calls > 0, first);
        Assert.Contains("victim", server.Registry.Rejections.Keys);
        Assert.Equal(["steady"], (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Select(m => m.Name));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Reload_ServedDirectoryDamagedInPlaceUnderTraffic_OldVersionKeepsServingEveryone(string damage)
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf), ("victim", _models.Bias));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic steady = Traffic.Start(server, "steady", _artifacts);
        await using Traffic victim = Traffic.Start(server, "victim", _artifacts);
        string before = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single(m => m.Name == "victim").Version;

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("victim"), Timeout);
        Damage(Path.Combine(root, "victim"), damage);
        await rejected;
        (int steadyCalls, int steadyFailures, string? steadyFirst) = await steady.StopAsync();
        (int victimCalls, int victimFailures, string? victimFirst) = await victim.StopAsync();
        ModelInfo after = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single(m => m.Name == "victim");

        Assert.Equal(0, steadyFailures);
        Assert.Equal(0, victimFailures); // the previous version answers every call: nothing lost
        Assert.True(steadyCalls > 0 && victimCalls > 0, steadyFirst ?? victimFirst);
        Assert.Equal(before, after.Version);
    }

    [Fact]
    public async Task Serving_DirectoryDeletedUnderTraffic_UnloadedAsNotFoundOthersUnaffected()
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf), ("victim", _models.Bias));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic traffic = Traffic.Start(server, "steady", _artifacts);
        await using Traffic victim = Traffic.Start(server, "victim", _artifacts);
        await Task.Delay(200);

        Directory.Delete(Path.Combine(root, "victim"), recursive: true);
        await WaitUntilAsync(() => !server.Registry.Current.Models.ContainsKey("victim"));
        (int calls, int failures, string? first) = await traffic.StopAsync();
        (_, _, string? victimFirst) = await victim.StopAsync();
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => Recommend(server, "victim", 1));

        Assert.Equal(0, failures);
        Assert.True(calls > 0, first);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        // The victim's callers saw answers, then NOT_FOUND once it was gone: never anything else.
        Assert.True(victimFirst is null || victimFirst.StartsWith(nameof(StatusCode.NotFound), StringComparison.Ordinal), victimFirst);
        Assert.Equal(["steady"], (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Select(m => m.Name));
    }

    [Fact]
    public async Task Serving_ModelsRootDeletedUnderTraffic_LoadedModelKeepsServingAndRootComesBack()
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic traffic = Traffic.Start(server, "steady", _artifacts);
        await Task.Delay(200);

        // The whole --models folder vanishes: scans fail (logged) and change nothing, so what is loaded keeps answering.
        Directory.Delete(root, recursive: true);
        await Task.Delay(1500);
        (int calls, int failures, string? first) = await traffic.StopAsync();
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());

        // When it comes back, the periodic rescan serves what it holds now.
        Directory.CreateDirectory(root);
        TrainedModels.CopyDirectory(_models.Bias, Path.Combine(root, "back"));
        await WaitUntilAsync(() => server.Registry.Current.Models.ContainsKey("back"));

        Assert.Equal(0, failures);
        Assert.True(calls > 0, first);
        Assert.Equal(["steady"], models.Models.Select(m => m.Name));
        Assert.Equal(10, (await Recommend(server, "back", 1)).Movies.Count);
    }

    [ReadsBlockedByChmodFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Load_UnreadableFilesDroppedIn_NotServedThenServedOnceReadableOthersUnaffected()
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic traffic = Traffic.Start(server, "steady", _artifacts);

        string staging = Path.Combine(root, ".staging");
        TrainedModels.CopyDirectory(_models.Bias, staging);
        SetModes(staging, UnixFileMode.None);
        Directory.Move(staging, Path.Combine(root, "victim"));
        await Task.Delay(1500); // several scans
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => Recommend(server, "victim", 1));

        var loaded = server.WaitForAsync(r => r.Loaded.Contains("victim"), Timeout);
        SetModes(Path.Combine(root, "victim"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await loaded;
        (int calls, int failures, string? first) = await traffic.StopAsync();

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(0, failures);
        Assert.True(calls > 0, first);
        Assert.Equal(10, (await Recommend(server, "victim", 1)).Movies.Count);
    }

    [ReadsBlockedByChmodFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Reload_ServedFilesMadeUnreadable_OldVersionKeepsServingOthersUnaffected()
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf), ("victim", _models.Bias));
        await using TestServer server = await TestServer.StartAsync(root);
        await using Traffic steady = Traffic.Start(server, "steady", _artifacts);
        await using Traffic victim = Traffic.Start(server, "victim", _artifacts);

        // A new version (new mtime) that cannot be read: the loaded one is what keeps answering.
        string onnx = Path.Combine(root, "victim", ModelDirectory.Onnx);
        File.SetLastWriteTimeUtc(onnx, DateTime.UtcNow.AddMinutes(1));
        SetModes(Path.Combine(root, "victim"), UnixFileMode.None);
        await Task.Delay(1500);
        (int steadyCalls, int steadyFailures, string? steadyFirst) = await steady.StopAsync();
        (int victimCalls, int victimFailures, string? victimFirst) = await victim.StopAsync();
        SetModes(Path.Combine(root, "victim"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(0, steadyFailures);
        Assert.Equal(0, victimFailures);
        Assert.True(steadyCalls > 0 && victimCalls > 0, steadyFirst ?? victimFirst);
    }

    [Fact]
    public async Task Serving_GraphThrowingAtRunTime_InternalForItOthersUnaffected()
    {
        string root = _models.CreateModelsRoot(_directory, ("steady", _models.BiasedMf), ("victim", _models.Bias));
        BreakGraphBeyondFirstIndex(Path.Combine(root, "victim"));
        await using TestServer server = await TestServer.StartAsync(root);
        Assert.Contains("victim", server.Registry.Current.Models.Keys); // it passed the load-time smoke run (user 0)
        await using Traffic traffic = Traffic.Start(server, "steady", _artifacts);

        var failures = new List<StatusCode>();
        for (int i = 0; i < 20; i++)
        {
            failures.Add((await Assert.ThrowsAsync<RpcException>(() => Recommend(server, "victim", 1 + (i % 5)))).StatusCode);
            var predict = new PredictRequest { CustomerId = _artifacts.CustomerIds[0], Model = "victim" };
            predict.MovieIds.Add(_artifacts.MovieIds[1 + (i % 5)]);
            failures.Add((await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(predict).ResponseAsync)).StatusCode);
        }

        using AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> stream = server.Client.RecommendMany();
        await stream.RequestStream.WriteAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[2], K = 5, Model = "victim" });
        await stream.RequestStream.CompleteAsync();
        RpcException many = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        RecommendResponse first = await Recommend(server, "victim", 0); // the one user the broken graph can score
        (int calls, int steadyFailures, string? firstFailure) = await traffic.StopAsync();

        Assert.All(failures, status => Assert.Equal(StatusCode.Internal, status));
        Assert.Equal(StatusCode.Internal, many.StatusCode);
        Assert.Equal(10, first.Movies.Count);
        Assert.Equal(0, steadyFailures);
        Assert.True(calls > 0, firstFailure);
        Assert.Equal(["steady", "victim"], (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Select(m => m.Name).Order());
    }

    private Task<RecommendResponse> Recommend(TestServer server, string model, int user) =>
        server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = 10, Model = model }).ResponseAsync;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the registry");
            await Task.Delay(50);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void SetModes(string directory, UnixFileMode mode)
    {
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(file, mode);
        }
    }

    /// <summary>Damages one file of a model directory the way disks, copies and people do.</summary>
    private static void Damage(string directory, string damage)
    {
        string File(string name) => Path.Combine(directory, name);
        void Truncate(string name)
        {
            byte[] bytes = System.IO.File.ReadAllBytes(File(name));
            System.IO.File.WriteAllBytes(File(name), bytes.AsSpan(0, bytes.Length / 2).ToArray());
        }

        byte[] Random(int count)
        {
            byte[] bytes = new byte[count];
            new Random(count).NextBytes(bytes);
            return bytes;
        }

        switch (damage)
        {
            case "onnx-random-bytes": System.IO.File.WriteAllBytes(File(ModelDirectory.Onnx), Random(4096)); break;
            case "onnx-truncated": Truncate(ModelDirectory.Onnx); break;
            case "onnx-empty": System.IO.File.WriteAllBytes(File(ModelDirectory.Onnx), []); break;
            case "onnx-oversized-sparse-3gb":
                // 3 GB that take no disk: past what a byte array holds, so the loader must refuse it, not crash.
                using (FileStream stream = System.IO.File.OpenWrite(File(ModelDirectory.Onnx)))
                {
                    stream.SetLength(3L << 30);
                }

                break;
            case "manifest-truncated": Truncate(ModelDirectory.Manifest); break;
            case "manifest-not-json": System.IO.File.WriteAllText(File(ModelDirectory.Manifest), "\u0000\u00ff not json"); break;
            case "users-truncated": Truncate(ModelDirectory.Users); break;
            case "movies-truncated": Truncate(ModelDirectory.Movies); break;
            case "history-truncated": Truncate(ModelDirectory.History); break;
            case "titles-random-bytes": System.IO.File.WriteAllBytes(File(ModelDirectory.Titles), Random(1000)); break;
            case "history-missing": System.IO.File.Delete(File(ModelDirectory.History)); break;
            default: throw new ArgumentOutOfRangeException(nameof(damage), damage, "unknown damage");
        }
    }

    /// <summary>
    /// Rewrites the graph so that it loads and passes the smoke run (user index 0, no pairs) but makes ONNX Runtime throw
    /// for any other user or any pair: <c>scores + zeros[user_index]</c> with a one-row zeros table, and
    /// <c>pair_scores + zeros[pair_movie]</c> with a one-element one (Gather out of bounds). The manifest's SHA-256 follows.
    /// </summary>
    private void BreakGraphBeyondFirstIndex(string directory)
    {
        string path = Path.Combine(directory, ModelDirectory.Onnx);
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        GraphProto graph = model.Graph;
        string userInput = graph.Input.Select(i => i.Name).Single(n => n is OnnxContract.UserIndex);
        AddZerosGather(graph, OnnxContract.Scores, userInput, [1, _artifacts.MovieCount]);
        AddZerosGather(graph, OnnxContract.PairScores, OnnxContract.PairMovie, [1]);
        using (FileStream stream = File.Create(path))
        {
            model.WriteTo(stream);
        }

        string manifestPath = Path.Combine(directory, ModelDirectory.Manifest);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        File.WriteAllText(manifestPath, (manifest with { Onnx = manifest.Onnx! with { Sha256 = sha } }).ToJson());
    }

    /// <summary>Renames the producer of <paramref name="output"/> and re-creates it as <c>inner + Gather(zeros, indices)</c>.</summary>
    private static void AddZerosGather(GraphProto graph, string output, string indices, long[] zerosShape)
    {
        string inner = output + "_before_fault";
        foreach (NodeProto node in graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == output)
                {
                    node.Output[i] = inner;
                }
            }
        }

        var zeros = new TensorProto { Name = output + "_fault_zeros", DataType = (int)TensorProto.Types.DataType.Float };
        zeros.Dims.Add(zerosShape);
        zeros.FloatData.Add(new float[zerosShape.Aggregate(1L, (a, b) => a * b)]);
        graph.Initializer.Add(zeros);
        graph.Node.Add(new NodeProto { OpType = "Gather", Input = { zeros.Name, indices }, Output = { output + "_fault_gathered" } });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { inner, output + "_fault_gathered" }, Output = { output } });
    }

    /// <summary>Calls to one model from four callers until stopped: Recommend, Predict and RecommendMany in turn.
    /// Counts calls and failures, remembering the first failure's status and message.</summary>
    private sealed class Traffic : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private Task[] _callers = [];
        private int _calls;
        private bool _stopped;

        public static Traffic Start(TestServer server, string model, ModelArtifacts artifacts)
        {
            var traffic = new Traffic();
            traffic._callers = [.. Enumerable.Range(0, 4).Select(seed => Task.Run(() => traffic.CallAsync(server, model, artifacts, seed)))];
            return traffic;
        }

        public async Task<(int Calls, int Failures, string? First)> StopAsync()
        {
            if (!_stopped)
            {
                _stopped = true;
                await _stop.CancelAsync();
                await Task.WhenAll(_callers);
            }

            return (Volatile.Read(ref _calls), _failures.Count, _failures.TryPeek(out string? first) ? first : null);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task CallAsync(TestServer server, string model, ModelArtifacts artifacts, int seed)
        {
            var random = new Random(seed);
            for (int i = 0; !_stop.IsCancellationRequested; i++)
            {
                long customer = artifacts.CustomerIds[random.Next(artifacts.UserCount)];
                try
                {
                    switch (i % 3)
                    {
                        case 0:
                            RecommendResponse top = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 5, Model = model });
                            Assert.Equal(5, top.Movies.Count);
                            break;
                        case 1:
                            var predict = new PredictRequest { CustomerId = customer, Model = model };
                            predict.MovieIds.Add(artifacts.MovieIds.Take(8));
                            Assert.Equal(8, (await server.Client.PredictAsync(predict)).Ratings.Count);
                            break;
                        default:
                            using (AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> stream = server.Client.RecommendMany())
                            {
                                try
                                {
                                    for (int r = 0; r < 4; r++)
                                    {
                                        await stream.RequestStream.WriteAsync(new RecommendRequest { CustomerId = artifacts.CustomerIds[random.Next(artifacts.UserCount)], K = 3, Model = model });
                                    }

                                    await stream.RequestStream.CompleteAsync();
                                }
                                catch (RpcException)
                                {
                                    // The server ended the call while we were still writing (NOT_FOUND for a model just
                                    // removed): the client's write then fails as CANCELLED with no detail, and the
                                    // call's real status comes with the response stream below.
                                }

                                int answers = 0;
                                while (await stream.ResponseStream.MoveNext(CancellationToken.None))
                                {
                                    answers++;
                                }

                                Assert.Equal(4, answers);
                            }

                            break;
                    }
                }
                catch (RpcException e)
                {
                    _failures.Enqueue($"{e.StatusCode}: {e.Status.Detail}");
                }
#pragma warning disable CA1031 // a wrong answer is a failure to count, not a crash of the caller
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _failures.Enqueue($"{e.GetType().Name}: {e.Message}");
                }

                Interlocked.Increment(ref _calls);
            }
        }
    }
}

/// <summary>
/// A fact that needs file permissions to block reads. As root (as in many containers) <c>chmod 000</c> does not stop
/// reading, so a permission flip cannot be observed: the test is skipped with that reason instead of passing vacuously.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadsBlockedByChmodFactAttribute : FactAttribute
{
    public ReadsBlockedByChmodFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes only";
        }
        else if (ChmodDoesNotBlockReads())
        {
            Skip = "this process reads files with mode 000 (it runs as root or with CAP_DAC_OVERRIDE): a permission flip cannot be observed here";
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool ChmodDoesNotBlockReads()
    {
        string probe = Path.Combine(Path.GetTempPath(), $"netflixrec-chmod-probe-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "x");
        try
        {
            File.SetUnixFileMode(probe, UnixFileMode.None);
            File.ReadAllBytes(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Delete(probe);
        }
    }
}
