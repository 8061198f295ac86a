using System.Diagnostics;
using Grpc.Core;
using NetflixRec.Contracts.V1;
using NetflixRec.Serving;

namespace NetflixRec.Bench.LoadGen;

/// <summary>Closed-loop load: <c>concurrency</c> workers each send Recommend for a random known customer, wait for the
/// answer, and send the next; a warm-up window first, then a measured window.</summary>
internal static class GrpcLoad
{
    public static async Task<LatencyStats> RunAsync(Recommender.RecommenderClient client, Metadata? headers, ModelArtifacts artifacts, LoadOptions options,
        int concurrency)
    {
        const int Capacity = 4_000_000;
        var latencies = new long[concurrency][];
        var counts = new int[concurrency];
        long errors = 0;
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        long end = warmupEnd + (long)(options.Seconds * Stopwatch.Frequency);

        async Task Worker(int worker)
        {
            var random = new Random(options.Seed + worker);
            long[] mine = latencies[worker] = new long[Capacity / concurrency];
            while (true)
            {
                long started = Stopwatch.GetTimestamp();
                if (started >= end)
                {
                    return;
                }

                var request = new RecommendRequest { CustomerId = artifacts.CustomerIds[random.Next(artifacts.UserCount)], K = options.K, Model = options.Model };
                try
                {
                    RecommendResponse response = await client.RecommendAsync(request, headers).ConfigureAwait(false);
                    if (response.Movies.Count == 0)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                long finished = Stopwatch.GetTimestamp();
                if (started >= warmupEnd && finished <= end && counts[worker] < mine.Length)
                {
                    mine[counts[worker]++] = finished - started;
                }
            }
        }

        Task all = Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w))));
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), warmupEnd)).ConfigureAwait(false);
        var cpuStart = CpuUse.Sample(options.ServerPid);
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end)).ConfigureAwait(false);
        var cpuEnd = CpuUse.Sample(options.ServerPid);
        await all.ConfigureAwait(false);
        return LatencyStats.From(latencies, counts, errors, options.Seconds) with { Cpu = CpuUse.Between(cpuStart, cpuEnd) };
    }
}
