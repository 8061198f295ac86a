// netflixrec-loadgen: Recommend top-k over gRPC at several concurrencies against a running server, then the same
// scoring path in-process without gRPC (the floor). Prints a markdown table.
//   dotnet run --project bench/LoadGen -c Release -- --target http://127.0.0.1:5080 --model-dir MODELS/NAME --model NAME
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using NetflixRec.Bench.LoadGen;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;
using NetflixRec.Serving;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"netflixrec-loadgen: {e.Message}");
    return 2;
}

ModelArtifacts artifacts = ModelArtifacts.Load(options.ModelDirectory);
if (options.H2loadBody is { } bodyPath)
{
    H2loadBody.Write(bodyPath, artifacts, options);
    return 0;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"model {artifacts.Manifest.Name} ({options.ModelDirectory}): {artifacts.UserCount:N0} users × {artifacts.MovieCount:N0} movies, dims {string.Join(", ", artifacts.Manifest.Dims.Select(d => $"{d.Key}={d.Value}"))}; Recommend k={options.K}; {Environment.ProcessorCount} cores"));
Console.WriteLine(LatencyStats.Header);

if (options.Target is { } target)
{
    using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan };
    using GrpcChannel channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { HttpHandler = handler });
    var client = new Recommender.RecommenderClient(channel);
    Metadata? headers = options.ApiKey is null ? null : new Metadata { { "authorization", "Bearer " + options.ApiKey } };
    foreach (int concurrency in options.Concurrency)
    {
        LatencyStats stats = await GrpcLoad.RunAsync(client, headers, artifacts, options, concurrency).ConfigureAwait(false);
        Console.WriteLine(stats.Row($"gRPC c={concurrency}"));
    }
}

{
    string onnx = Path.Combine(options.ModelDirectory, NetflixRec.Contracts.ModelDirectory.Onnx);
    ExecutionProviderChoice cpu = ExecutionProviderChoice.Decide("cpu", intraOpThreads: 1);
    using OnnxScorer scorer = OnnxScorer.Create(onnx, artifacts, cpu);
    foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
    {
        LatencyStats floor = FloorLoad.Run(scorer, artifacts, options, threads);
        Console.WriteLine(floor.Row($"in-process floor, {threads} thread{(threads == 1 ? "" : "s")}"));
    }

    foreach (int batch in options.FloorBatches)
    {
        LatencyStats floor = BatchedFloorLoad.Run(scorer, artifacts, options, batch);
        Console.WriteLine(floor.Row($"in-process batched floor, batch {batch}, 1 thread"));
    }
}

return 0;
