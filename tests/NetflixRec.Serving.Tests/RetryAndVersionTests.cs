using System.Text.RegularExpressions;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

/// <summary>Rejections are retried with backoff, and versions are told apart by content, not by size and time.</summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class RetryAndVersionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();

    public RetryAndVersionTests(TrainedModels models) => _models = models;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reload_TransientFailure_RetriedWithoutAnyFileChangingAndThenServed()
    {
        string root = _models.CreateModelsRoot(_directory, ("good", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        int attempts = 0;
        server.Registry.BeforeLoad = directory =>
        {
            if (Path.GetFileName(directory) == "flaky" && Interlocked.Increment(ref attempts) <= 2)
            {
                throw new IOException("simulated transient failure");
            }
        };

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("flaky"), Timeout);
        var loaded = server.WaitForAsync(r => r.Loaded.Contains("flaky"), Timeout);
        string staging = Path.Combine(root, ".staging");
        TrainedModels.CopyDirectory(_models.Bias, staging);
        Directory.Move(staging, Path.Combine(root, "flaky"));
        await rejected;
        await loaded;
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(["flaky", "good"], models.Models.Select(m => m.Name));
        Assert.False(server.Registry.Rejections.ContainsKey("flaky"));
    }

    [Fact]
    public async Task Reload_ManifestReplacedKeepingSizeAndTime_NewVersionLoaded()
    {
        string root = _models.CreateModelsRoot(_directory, ("live", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);
        ModelInfo before = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single();
        string path = Path.Combine(root, "live", ModelDirectory.Manifest);
        DateTime written = File.GetLastWriteTimeUtc(path);
        string text = File.ReadAllText(path);
        // One digit of the RMSE changed: the same length, then the old modification time put back.
        Match rmse = Regex.Match(text, "\"rmse\": \\d\\.(\\d)");
        char digit = rmse.Groups[1].Value[0];
        string edited = text[..rmse.Groups[1].Index] + (char)('0' + ((digit - '0' + 1) % 10)) + text[(rmse.Groups[1].Index + 1)..];

        var loaded = server.WaitForAsync(r => r.Loaded.Contains("live"), Timeout);
        File.WriteAllText(path, edited);
        File.SetLastWriteTimeUtc(path, written);
        await loaded;
        ModelInfo after = (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single();

        Assert.Equal(new FileInfo(path).Length, text.Length);
        Assert.NotEqual(before.Version, after.Version);
        Assert.NotEqual(before.Metrics["rmse"], after.Metrics["rmse"]);
    }

    [Fact]
    public void VersionOf_SameContentCopiedWithOtherTimes_DiffersOnlyByTime()
    {
        string a = _directory.Combine("a"), b = _directory.Combine("b");
        TrainedModels.CopyDirectory(_models.Bias, a);
        TrainedModels.CopyDirectory(_models.Bias, b);
        foreach (string file in Directory.EnumerateFiles(a))
        {
            File.SetLastWriteTimeUtc(Path.Combine(b, Path.GetFileName(file)), File.GetLastWriteTimeUtc(file));
        }

        Assert.Equal(ModelRegistry.VersionOf(a), ModelRegistry.VersionOf(b));
        File.SetLastWriteTimeUtc(Path.Combine(b, ModelDirectory.Users), DateTime.UtcNow.AddDays(-1));
        Assert.NotEqual(ModelRegistry.VersionOf(a), ModelRegistry.VersionOf(b));
    }

    [Fact]
    public void CanChangeAModel_FilesDirectlyInTheRootDoNot_ModelFoldersAndDeletionsDo()
    {
        string root = _directory.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "m"));
        File.WriteAllText(Path.Combine(root, "h2load.log"), "x");
        File.WriteAllText(Path.Combine(root, "m", "manifest.json"), "{}");

        Assert.False(ModelRegistry.CanChangeAModel(root, new FileSystemEventArgs(WatcherChangeTypes.Changed, root, "h2load.log")));
        Assert.False(ModelRegistry.CanChangeAModel(root + "/", new FileSystemEventArgs(WatcherChangeTypes.Created, root, "h2load.log")));
        Assert.True(ModelRegistry.CanChangeAModel(root, new FileSystemEventArgs(WatcherChangeTypes.Deleted, root, "h2load.log")));
        Assert.True(ModelRegistry.CanChangeAModel(root, new FileSystemEventArgs(WatcherChangeTypes.Created, root, "m")));
        Assert.True(ModelRegistry.CanChangeAModel(root, new FileSystemEventArgs(WatcherChangeTypes.Changed, Path.Combine(root, "m"), "manifest.json")));
    }
}
