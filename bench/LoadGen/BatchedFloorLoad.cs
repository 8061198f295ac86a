using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Serving;

namespace NetflixRec.Bench.LoadGen;

/// <summary>The batched floor: what the dynamic batcher does per batch without gRPC — one ONNX run over
/// <c>batch</c> random customers (<see cref="OnnxScorer.ScoreBatch"/>), then each row's exclusions and top-k — on one
/// thread. Every call of a batch counts once, with the batch's latency.</summary>
internal static class BatchedFloorLoad
{
    public static LatencyStats Run(OnnxScorer scorer, ModelArtifacts artifacts, LoadOptions options, int batch)
    {
        var random = new Random(options.Seed);
        long[] latencies = new long[4_000_000];
        int count = 0;
        var top = new int[options.K];
        var users = new UserInput[batch];
        using BatchBuffers buffers = scorer.CreateBatchBuffers(batch, BatchKind.Scores);
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
        long end = warmupEnd + (long)(options.FloorSeconds * Stopwatch.Frequency);
        (TimeSpan, TimeSpan)? cpuStart = null;
        while (true)
        {
            long started = Stopwatch.GetTimestamp();
            if (started >= end)
            {
                break;
            }

            if (cpuStart is null && started >= warmupEnd)
            {
                cpuStart = CpuUse.Sample(serverPid: null);
            }

            for (int b = 0; b < batch; b++)
            {
                users[b] = UserInput.Known(artifacts, random.Next(artifacts.UserCount));
            }

            scorer.ScoreBatch(users, buffers);
            for (int b = 0; b < batch; b++)
            {
                TopK.SelectExcluding(buffers.Row(b), users[b].Movies.Span, top);
            }

            long finished = Stopwatch.GetTimestamp();
            for (int b = 0; b < batch && started >= warmupEnd && finished <= end && count < latencies.Length; b++)
            {
                latencies[count++] = finished - started;
            }
        }

        var cpuEnd = CpuUse.Sample(serverPid: null);
        return LatencyStats.From([latencies], [count], 0, options.FloorSeconds) with { Cpu = CpuUse.Between(cpuStart ?? cpuEnd, cpuEnd) };
    }
}
