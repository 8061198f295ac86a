using System.Globalization;
using System.IO.Hashing;
using System.Text;
using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// The loaded models: every model directory under --models, kept current by a watcher plus a periodic rescan. A new or
/// changed directory is loaded once its files stop changing, validated (artifacts, graph, a smoke run) and swapped in
/// atomically; calls already running keep their old version until they finish. An invalid directory is logged and
/// rejected while the previous version, if any, keeps serving; a rejected version is retried with exponential backoff
/// (the poll interval, doubling up to <see cref="MaxRetryDelay"/>), since the cause may have been transient. A removed
/// directory is unloaded.
/// </summary>
public sealed partial class ModelRegistry : IHostedService, IDisposable
{
    private const string Removed = "(removed)";

    /// <summary>The longest wait before a rejected version is tried again.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly ServingOptions _options;
    private readonly ExecutionProviderChoice _provider;
    private readonly ServingMetrics _metrics;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, string> _pending = [];
    private readonly Dictionary<string, Rejection> _rejected = [];
    private IReadOnlyDictionary<string, string> _rejections = new Dictionary<string, string>(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private Task _loop = Task.CompletedTask;
    private Snapshot _snapshot = new(new Dictionary<string, ServedModel>(StringComparer.Ordinal), null);
    // Compared with files' change times, so the real clock even where scheduling runs on another TimeProvider.
    private readonly ContentHashCache _contents = new(TimeProvider.System);

    public ModelRegistry(ServingOptions options, ExecutionProviderChoice provider, ServingMetrics metrics, ILogger<ModelRegistry> logger, TimeProvider time)
    {
        _options = options;
        _provider = provider;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>The current models and default, replaced as a whole on every change.</summary>
    public Snapshot Current => Volatile.Read(ref _snapshot);

    /// <summary>The directories that are not served because their current version was rejected: name → reason.</summary>
    public IReadOnlyDictionary<string, string> Rejections => Volatile.Read(ref _rejections);

    /// <summary>Runs before each load attempt (tests inject transient failures here).</summary>
    internal Action<string>? BeforeLoad { get; set; }

    /// <summary>Raised after every scan that changed the set of loaded versions or rejected one (tests wait on it).</summary>
    public event Action<ScanResult>? Scanned;

    /// <summary>The model called <paramref name="name"/> (the default when empty) with a reference taken for the caller,
    /// who must <see cref="ServedModel.Release"/> it; null when no such model is loaded.</summary>
    public ServedModel? Acquire(string name)
    {
        while (true)
        {
            Snapshot snapshot = Current;
            string? resolved = name.Length == 0 ? snapshot.DefaultModel : name;
            if (resolved is null || !snapshot.Models.TryGetValue(resolved, out ServedModel? model))
            {
                return null;
            }

            if (model.TryAddReference())
            {
                return model;
            }

            // Retired between the read and the reference: the next snapshot already holds its successor.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogProvider(_logger, _provider.Name, _provider.Reason);
        Scan(initial: true);
        try
        {
            _watcher = new FileSystemWatcher(_options.ModelsRoot) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
            FileSystemEventHandler onChange = (_, e) =>
            {
                if (CanChangeAModel(_options.ModelsRoot, e))
                {
                    Wake();
                }
            };
            _watcher.Created += onChange;
            _watcher.Changed += onChange;
            _watcher.Deleted += onChange;
            _watcher.Renamed += (_, _) => Wake();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // The periodic rescan still picks changes up (inotify limits, network file systems).
            LogWatcherUnavailable(_logger, _options.ModelsRoot, e.Message);
        }

        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rescans now (the watcher calls this; so may an operator-facing endpoint or a test).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan wait = _pending.Count > 0 ? _options.SettleTime : _options.PollInterval;
            try
            {
                // A burst of file events collapses into one scan; a pending directory is looked at again after the settle time.
                await _wake.WaitAsync(wait, stopping).ConfigureAwait(false);
                if (_pending.Count > 0)
                {
                    await Task.Delay(_options.SettleTime, _time, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                Scan(initial: false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The watcher must outlive any one bad scan (a vanished folder, a handler's bug): log and scan again later.
                LogScanFailed(_logger, _options.ModelsRoot, e.Message);
            }
        }
    }

    private void Scan(bool initial)
    {
        Snapshot before = Current;
        var models = new Dictionary<string, ServedModel>(before.Models, StringComparer.Ordinal);
        var retired = new List<ServedModel>();
        var loaded = new List<string>();
        var rejected = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (string directory in System.IO.Directory.EnumerateDirectories(_options.ModelsRoot).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(directory);
            if (name.StartsWith('.'))
            {
                continue; // Hidden folders are where publishers stage a directory before renaming it into place.
            }

            seen.Add(name);
            string? version = VersionOf(directory, _contents);
            if (version is null || (models.TryGetValue(name, out ServedModel? current) && current.Version == version))
            {
                _pending.Remove(name);
                continue;
            }

            // A rejected version is left alone until its retry is due; it was stable when it was tried, so a due
            // retry skips the settle wait.
            Rejection? bad = _rejected.TryGetValue(name, out Rejection? previousRejection) && previousRejection.Version == version ? previousRejection : null;
            if (bad is not null && _time.GetUtcNow() < bad.RetryAt)
            {
                _pending.Remove(name);
                continue;
            }

            // Load only what looked the same on two scans a settle time apart: a copy in progress is left alone.
            if (bad is null && !initial && (!_pending.TryGetValue(name, out string? pending) || pending != version))
            {
                _pending[name] = version;
                continue;
            }

            _pending.Remove(name);
            (ServedModel? model, string? reason) = TryLoad(name, directory, version);
            if (model is null)
            {
                int failures = (bad?.Failures ?? 0) + 1;
                _rejected[name] = new Rejection(version, reason ?? "rejected", failures, _time.GetUtcNow() + RetryDelay(failures));
                rejected.Add(name);
                continue;
            }

            _rejected.Remove(name);
            if (models.TryGetValue(name, out ServedModel? previous))
            {
                retired.Add(previous);
            }

            models[name] = model;
            loaded.Add(name);
        }

        foreach (string name in models.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            // Gone on two scans a settle time apart: a directory swapped by two renames is not unloaded in between.
            if (!initial && (!_pending.TryGetValue(name, out string? pending) || pending != Removed))
            {
                _pending[name] = Removed;
                continue;
            }

            _pending.Remove(name);
            retired.Add(models[name]);
            models.Remove(name);
            LogRemoved(_logger, name);
            _metrics.ModelReloaded(name, "removed");
        }

        foreach (string name in _pending.Keys.Where(n => !seen.Contains(n) && !models.ContainsKey(n)).ToList())
        {
            _pending.Remove(name);
        }

        foreach (string name in _rejected.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            _rejected.Remove(name);
        }

        _contents.Sweep();

        Volatile.Write(ref _rejections, _rejected.ToDictionary(r => r.Key, r => r.Value.Reason, StringComparer.Ordinal));

        if (loaded.Count > 0 || retired.Count > 0 || initial)
        {
            string? defaultModel = ChooseDefault(models);
            Volatile.Write(ref _snapshot, new Snapshot(models, defaultModel));
            if (defaultModel != before.DefaultModel)
            {
                LogDefault(_logger, defaultModel ?? "(none)", defaultModel is not null && defaultModel == _options.DefaultModel ? "--default-model" : "lowest probe RMSE");
            }

            // In-flight calls hold their own references: the old sessions close when the last of them finishes.
            foreach (ServedModel old in retired)
            {
                old.Release();
            }
        }

        if (loaded.Count > 0 || retired.Count > 0 || rejected.Count > 0)
        {
            Scanned?.Invoke(new ScanResult(loaded, rejected, Current));
        }
    }

    private (ServedModel? Model, string? Reason) TryLoad(string name, string directory, string version)
    {
        long started = _time.GetTimestamp();
        try
        {
            BeforeLoad?.Invoke(directory);
            ModelArtifacts artifacts = ModelArtifacts.Load(directory);
            // The manifest names the graph file; only its file name counts, so it cannot point outside the directory.
            string file = Path.GetFileName(artifacts.Manifest.Onnx!.File) is { Length: > 0 } named ? named : ModelDirectory.Onnx;
            OnnxScorer scorer = OnnxScorer.Create(Path.Combine(directory, file), artifacts, _provider);
            var model = new ServedModel(name, directory, version, artifacts, scorer, _time.GetUtcNow(), BatchingSettings.From(_options), _metrics);
            LogLoaded(_logger, name, artifacts.Manifest.Name, version, artifacts.UserCount, artifacts.MovieCount, artifacts.HistoryMovies.Length,
                _provider.Name, _time.GetElapsedTime(started).TotalMilliseconds);
            _metrics.ModelReloaded(name, "loaded");
            return (model, null);
        }
#pragma warning disable CA1031 // Whatever the artifact does wrong (even an allocation its numbers make fail), it is that directory's rejection, never the registry's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            bool serving = Current.Models.ContainsKey(name);
            string reason = e is InvalidDataException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            LogRejected(_logger, name, reason, serving ? "the previous version keeps serving" : "not served");
            _metrics.ModelReloaded(name, "rejected");
            return (null, reason);
        }
    }

    private string? ChooseDefault(Dictionary<string, ServedModel> models)
    {
        if (_options.DefaultModel is { } configured && models.ContainsKey(configured))
        {
            return configured;
        }

        return models.Values.OrderBy(m => m.Rmse).ThenBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault()?.Name;
    }

    /// <summary>
    /// Whether a watcher event may change a model: models are the root's subdirectories, so a file written directly in the
    /// root (a log, a load tool's scratch file) is not one. Each such write would otherwise wake a rescan — which, before
    /// contents were hashed only on a changed file identity, re-hashed every model's graph: a log written per request
    /// cost the server 29 % of its CPU. Deletions always count.
    /// </summary>
    internal static bool CanChangeAModel(string root, FileSystemEventArgs change) =>
        change.ChangeType == WatcherChangeTypes.Deleted
        || !string.Equals(Path.GetFullPath(Path.GetDirectoryName(change.FullPath) ?? string.Empty).TrimEnd(Path.DirectorySeparatorChar),
            Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
        || Directory.Exists(change.FullPath);

    /// <summary>The wait before the <paramref name="failures"/>-th retry: the poll interval, doubling, at most <see cref="MaxRetryDelay"/>.</summary>
    private TimeSpan RetryDelay(int failures)
    {
        double delay = _options.PollInterval.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>
    /// The version of a directory: XxHash128 over the name, size and modification time of every top-level file, each
    /// followed, for manifest.json, the graph (*.onnx) and its external data (*.onnx.data, a graph past protobuf's 2 GB
    /// limit), by the XxHash128 of its contents. Hashing contents sees a replacement that keeps size and time (a copy
    /// with preserved timestamps); <paramref name="contents"/> reads a file again only when its identity changed. Files
    /// too large to load are identified by size and time only. Null when the directory vanished while being read.
    /// </summary>
    internal static string? VersionOf(string directory, ContentHashCache contents)
    {
        try
        {
            var hash = new XxHash128();
            foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                hash.Append(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{file.Name}|{file.Length}|{file.LastWriteTimeUtc.Ticks}\n")));
                // A file past the largest array can never be loaded (both are read whole into memory), so its
                // contents are not read either: a huge or sparse file would otherwise cost a full read on every scan.
                if ((file.Name == ModelDirectory.Manifest || file.Extension == ".onnx" || file.Name.EndsWith(".onnx.data", StringComparison.Ordinal)) && file.Length <= Array.MaxLength)
                {
                    hash.Append(contents.HashOf(file.FullName));
                }
            }

            return Convert.ToHexStringLower(hash.GetCurrentHash());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The version of a directory, every file's contents read afresh (see the overload).</summary>
    internal static string? VersionOf(string directory) => VersionOf(directory, new ContentHashCache(TimeProvider.System));

    public void Dispose()
    {
        _watcher?.Dispose();
        _stopping.Dispose();
        _wake.Dispose();
        Snapshot last = Interlocked.Exchange(ref _snapshot, new Snapshot(new Dictionary<string, ServedModel>(), null));
        foreach (ServedModel model in last.Models.Values)
        {
            model.Release();
        }
    }

    /// <summary>A rejected version of a directory, why, how often it failed in a row and when to try it again.</summary>
    private sealed record Rejection(string Version, string Reason, int Failures, DateTimeOffset RetryAt);

    /// <summary>One immutable view of the registry.</summary>
    public sealed record Snapshot(IReadOnlyDictionary<string, ServedModel> Models, string? DefaultModel);

    /// <summary>What one scan changed.</summary>
    public sealed record ScanResult(IReadOnlyList<string> Loaded, IReadOnlyList<string> Rejected, Snapshot Snapshot);

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime execution provider: {Provider} ({Reason})")]
    private static partial void LogProvider(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} loaded: {Kind}, version {Version}, {Users} users × {Movies} movies, {Ratings} history ratings, {Provider}, {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string model, string kind, string version, int users, int movies, int ratings, string provider, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} rejected: {Reason}; {Consequence}")]
    private static partial void LogRejected(ILogger logger, string model, string reason, string consequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} unloaded: its directory was removed")]
    private static partial void LogRemoved(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Default model: {Model} ({Rule})")]
    private static partial void LogDefault(ILogger logger, string model, string rule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch {Root} ({Reason}); relying on the periodic rescan")]
    private static partial void LogWatcherUnavailable(ILogger logger, string root, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scan of {Root} failed: {Reason}")]
    private static partial void LogScanFailed(ILogger logger, string root, string reason);
}
