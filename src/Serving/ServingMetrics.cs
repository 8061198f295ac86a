using System.Diagnostics;
using System.Diagnostics.Metrics;
using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// The serving process's OpenTelemetry instruments (meter <c>NetflixRec.Serving</c>, scraped by Prometheus at /metrics):
/// request count and latency per method, model and status code, the execution provider, loaded models and reloads.
/// </summary>
public sealed class ServingMetrics : IDisposable
{
    public const string MeterName = "NetflixRec.Serving";

    /// <summary>The model label of calls naming a model that is not served (one bucket, whatever the client sent).</summary>
    public const string UnknownModel = "unknown";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _reloads;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueDelay;
    private readonly UpDownCounter<long> _inFlight;

    public ServingMetrics(IMeterFactory meterFactory, ExecutionProviderChoice provider, Func<int> loadedModels)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("netflixrec.serving.requests", "{request}", "Completed RPCs (one per streamed message for RecommendMany)");
        // Sub-millisecond buckets: a scoring call takes well under a millisecond on CPU.
        _latency = _meter.CreateHistogram("netflixrec.serving.request.duration", "s", "Server-side latency of one RPC or streamed message",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        _reloads = _meter.CreateCounter<long>("netflixrec.serving.model.loads", "{event}", "Model directory loads, rejections and removals");
        _batchSize = _meter.CreateHistogram("netflixrec.serving.batch.size", "{call}", "Calls scored by one ONNX run (dynamic batching)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _queueDelay = _meter.CreateHistogram("netflixrec.serving.batch.queue_delay", "s", "Time a call waited in its model's batch queue",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05] });
        _inFlight = _meter.CreateUpDownCounter<long>("netflixrec.serving.batch.in_flight", "{call}", "Calls queued or being scored, per model");
        _meter.CreateObservableGauge("netflixrec.serving.execution_provider", () => new Measurement<int>(1, new KeyValuePair<string, object?>("provider", provider.Name)),
            description: "1, tagged with the ONNX Runtime execution provider chosen at start-up");
        _meter.CreateObservableGauge("netflixrec.serving.models", loadedModels, "{model}", "Models currently loaded");
    }

    /// <summary>Records one finished call; <paramref name="started"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    public void Record(string method, string model, string status, long started)
    {
        var tags = new TagList { { "method", method }, { "model", model }, { "status", status } };
        _requests.Add(1, tags);
        _latency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>Calls entering (+) or leaving (−) a model's batch queue or run.</summary>
    public void BatchQueued(string model, int delta) => _inFlight.Add(delta, new KeyValuePair<string, object?>("model", model));

    public void QueueDelay(string model, double seconds) => _queueDelay.Record(seconds, new KeyValuePair<string, object?>("model", model));

    public void BatchRan(string model, BatchKind kind, int size) =>
        _batchSize.Record(size, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("kind", kind == BatchKind.Scores ? "scores" : "pairs"));

    public void ModelReloaded(string model, string outcome) =>
        _reloads.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
