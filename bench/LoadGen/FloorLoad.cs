using System.Diagnostics;
using NetflixRec.Serving;

namespace NetflixRec.Bench.LoadGen;

/// <summary>The floor: the server's scoring path (<see cref="Ranker"/>: ONNX run, exclusion of rated movies, top-k) on
/// the same model, called directly on <c>threads</c> threads without gRPC, for the same measured time.</summary>
internal static class FloorLoad
{
    public static LatencyStats Run(OnnxScorer scorer, ModelArtifacts artifacts, LoadOptions options, int threads)
    {
        var latencies = new long[threads][];
        var counts = new int[threads];
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        long end = warmupEnd + (long)(options.FloorSeconds * Stopwatch.Frequency);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int worker = t;
            workers[t] = new Thread(() =>
            {
                var random = new Random(options.Seed + worker);
                long[] mine = latencies[worker] = new long[4_000_000 / threads];
                var top = new int[options.K];
                while (true)
                {
                    long started = Stopwatch.GetTimestamp();
                    if (started >= end)
                    {
                        return;
                    }

                    ScoringBuffers buffers = scorer.Rent();
                    Ranker.Rank(artifacts, scorer, buffers, random.Next(artifacts.UserCount), includeRated: false, top, CancellationToken.None);
                    scorer.Return(buffers);
                    long finished = Stopwatch.GetTimestamp();
                    if (started >= warmupEnd && finished <= end && counts[worker] < mine.Length)
                    {
                        mine[counts[worker]++] = finished - started;
                    }
                }
            });
            workers[t].Start();
        }

        Thread.Sleep(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), warmupEnd));
        var cpuStart = CpuUse.Sample(serverPid: null);
        Thread.Sleep(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end));
        var cpuEnd = CpuUse.Sample(serverPid: null);
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return LatencyStats.From(latencies, counts, 0, options.FloorSeconds) with { Cpu = CpuUse.Between(cpuStart, cpuEnd) };
    }
}
