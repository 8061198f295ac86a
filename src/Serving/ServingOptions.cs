using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace NetflixRec.Serving;

/// <summary>
/// The serving process's options, read from the command line (<c>--models DIR --urls URL ...</c>), environment
/// (<c>NETFLIXREC_</c>-less ASP.NET keys) or appsettings. Every value has a safe default: loopback, no TLS, no key.
/// </summary>
public sealed record ServingOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string DefaultMetricsUrl = "http://127.0.0.1:9464";

    /// <summary>The configuration key that --urls arrives under (see <see cref="ServingApp.Build"/>).</summary>
    public const string UrlsKey = "grpc-urls";

    /// <summary>Folder whose subfolders are model directories (one model each; the folder name is the model's name).</summary>
    public required string ModelsRoot { get; init; }

    /// <summary>gRPC endpoints; http:// speaks cleartext HTTP/2 (prior knowledge), https:// needs a certificate.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>HTTP/1.1 endpoint of the Prometheus scrape path /metrics; null disables it. Separate because a cleartext
    /// Kestrel endpoint cannot offer both HTTP/1.1 (Prometheus) and prior-knowledge HTTP/2 (gRPC).</summary>
    public string? MetricsUrl { get; init; } = DefaultMetricsUrl;

    /// <summary>Model answering requests with an empty <c>model</c> field; null picks the lowest probe RMSE.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>When set, every Recommender and reflection call needs <c>authorization: Bearer KEY</c> (health stays open).</summary>
    public string? ApiKey { get; init; }

    /// <summary>PEM or PFX certificate for https:// endpoints; a PEM certificate needs <see cref="TlsKey"/>.</summary>
    public string? TlsCertificate { get; init; }
    public string? TlsKey { get; init; }
    public string? TlsPassword { get; init; }

    /// <summary>auto (CUDA when it loads, else CPU), cpu, or cuda (fail start-up without it).</summary>
    public string ExecutionProvider { get; init; } = "auto";

    /// <summary>Threads per ONNX run; 1 lets concurrent requests, not one request, use the cores.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Dynamic batching: the most calls of one model scored by one ONNX run (1 turns batching off).</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>How long a queued call may wait for its batch to fill while another run of the model is in flight (µs);
    /// an idle model never waits.</summary>
    public int MaxQueueDelayMicroseconds { get; init; }

    /// <summary>How many ONNX runs of one model may be in flight at once (each takes up to <see cref="MaxBatch"/> calls).</summary>
    public int BatchExecutors { get; init; } = 1;

    public int MaxReceiveMessageBytes { get; init; } = 1 << 20;
    public int MaxSendMessageBytes { get; init; } = 4 << 20;

    /// <summary>Largest <c>movie_ids</c> list a Predict call may carry.</summary>
    public int MaxPredictMovies { get; init; } = 20_000;

    public const int MaxK = 1000;

    /// <summary>How often the models folder is rescanned when no file event arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A changed directory is loaded once it looked the same for this long (a copy in progress is not loaded).</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Binds the options from configuration keys (models, urls, metrics-urls, default-model, api-key, tls-cert,
    /// tls-key, tls-password, execution-provider, intra-op-threads, max-batch, max-queue-delay-us, batch-executors, max-receive-bytes, max-send-bytes,
    /// max-predict-movies, poll-ms, settle-ms); a bad value is an <see cref="ArgumentException"/> naming the option.</summary>
    public static ServingOptions FromConfiguration(IConfiguration configuration)
    {
        string? models = configuration["models"];
        if (string.IsNullOrWhiteSpace(models))
        {
            throw new ArgumentException("--models: required (a folder of exported model directories)");
        }

        if (!Directory.Exists(models))
        {
            throw new ArgumentException($"--models: {models}: no such directory");
        }

        string? metrics = configuration["metrics-urls"];
        string provider = (configuration["execution-provider"] ?? "auto").ToLowerInvariant();
        if (provider is not ("auto" or "cpu" or "cuda"))
        {
            throw new ArgumentException($"--execution-provider: '{provider}' is not auto, cpu or cuda");
        }

        return new ServingOptions
        {
            ModelsRoot = Path.GetFullPath(models),
            Urls = SplitUrls(configuration[UrlsKey] ?? configuration["urls"]) is { Count: > 0 } urls ? urls : [DefaultUrl],
            MetricsUrl = metrics is null ? DefaultMetricsUrl : metrics is "" or "none" ? null : metrics,
            DefaultModel = NullIfEmpty(configuration["default-model"]),
            ApiKey = NullIfEmpty(configuration["api-key"]),
            TlsCertificate = NullIfEmpty(configuration["tls-cert"]),
            TlsKey = NullIfEmpty(configuration["tls-key"]),
            TlsPassword = NullIfEmpty(configuration["tls-password"]),
            ExecutionProvider = provider,
            IntraOpThreads = Int(configuration, "intra-op-threads", 1, 1, 256),
            MaxBatch = Int(configuration, "max-batch", 64, 1, 4096),
            MaxQueueDelayMicroseconds = QueueDelay(Int(configuration, "max-queue-delay-us", 0, 0, 1_000_000)),
            BatchExecutors = Int(configuration, "batch-executors", 1, 1, 64),
            MaxReceiveMessageBytes = Int(configuration, "max-receive-bytes", 1 << 20, 1024, 64 << 20),
            MaxSendMessageBytes = Int(configuration, "max-send-bytes", 4 << 20, 1024, 64 << 20),
            MaxPredictMovies = Int(configuration, "max-predict-movies", 20_000, 1, 1_000_000),
            PollInterval = TimeSpan.FromMilliseconds(Int(configuration, "poll-ms", 2000, 50, 3_600_000)),
            SettleTime = TimeSpan.FromMilliseconds(Int(configuration, "settle-ms", 300, 0, 60_000)),
        };
    }

    // An executor waits for a fuller batch in whole milliseconds (Monitor.Wait): a shorter setting would silently do nothing.
    private static int QueueDelay(int microseconds) => microseconds is > 0 and < 1000
        ? throw new ArgumentException($"--max-queue-delay-us: {microseconds}: use 0 (no wait) or at least 1000; the wait is counted in whole milliseconds")
        : microseconds;

    private static List<string> SplitUrls(string? value) =>
        value is null ? [] : [.. value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int Int(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        string? text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new ArgumentException($"--{key}: '{text}' is not an integer in {min}..{max}");
        }

        return value;
    }
}
