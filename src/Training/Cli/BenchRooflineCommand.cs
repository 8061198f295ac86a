using System.CommandLine;
using System.Diagnostics;
using System.Numerics.Tensors;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-roofline [--gemm-size 2048] [--stream-mb 256] [--repeats 5] [--threads N] [--json]</c>: the two
/// ceilings of this machine that bound the neural models' epochs — dense fp32 GEMM through TorchSharp (torch.matmul of
/// two n×n matrices on the configured threads, 2n³ floating-point operations) and memory bandwidth (STREAM-like copy
/// and triad over arrays far larger than the caches, once in managed code and once in torch). Each figure is the best
/// of the repeats (the least disturbed by other processes); the CPU utilization (CPU seconds / (wall × threads)) says
/// how much of the cores the run actually had.
/// </summary>
internal static class BenchRooflineCommand
{
    public static Command Create()
    {
        Option<int> gemmSize = CommonOptions.PositiveInt("--gemm-size", "n of the n×n fp32 matrices multiplied.", 2048);
        Option<int> streamMb = CommonOptions.PositiveInt("--stream-mb", "Megabytes per bandwidth array (three arrays; keep it far above the caches).", 256);
        Option<int> repeats = CommonOptions.PositiveInt("--repeats", "Repeats of each measurement (the best is reported).", 5);
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench-roofline", "Measure this machine's dense GEMM FLOP/s (TorchSharp) and memory bandwidth (managed and torch).")
        {
            gemmSize, streamMb, repeats, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetValue(gemmSize), parse.GetValue(streamMb), parse.GetValue(repeats), parse.GetValue(threads), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static BenchRooflineSummary Run(int gemmSize, int streamMegabytes, int repeats, int threads, bool json)
    {
        TorchRuntime.Configure(threads, seed: 1);
        long elements = (long)streamMegabytes * 1024 * 1024 / sizeof(float);
        if (elements > Array.MaxLength)
        {
            throw new ArgumentException($"--stream-mb: {streamMegabytes} MB arrays exceed the largest managed array");
        }

        var clock = Stopwatch.StartNew();
        TimeSpan cpuStart = CpuTime();
        (double gemm, double gemmPerCpu) = Gemm(gemmSize, repeats);
        CliRun.Progress($"bench-roofline: GEMM {gemmSize}×{gemmSize} fp32: {gemm / 1e9:F1} GFLOP/s, {gemmPerCpu / 1e9:F1} GFLOP per CPU-second");
        (double managedCopy, double managedTriad) = ManagedStream((int)elements, repeats, threads);
        CliRun.Progress($"bench-roofline: managed copy {managedCopy / 1e9:F1} GB/s, triad {managedTriad / 1e9:F1} GB/s");
        (double torchCopy, double torchTriad) = TorchStream(elements, repeats);
        CliRun.Progress($"bench-roofline: torch copy {torchCopy / 1e9:F1} GB/s, triad {torchTriad / 1e9:F1} GB/s");
        double wall = clock.Elapsed.TotalSeconds;
        double utilization = (CpuTime() - cpuStart).TotalSeconds / (wall * threads);
        double bandwidth = Math.Max(managedTriad, torchTriad);

        var result = new BenchRooflineSummary(
            Threads: threads,
            GemmSize: gemmSize,
            GemmGflops: Math.Round(gemm / 1e9, 2),
            GemmGflopsPerCpuSecond: Math.Round(gemmPerCpu / 1e9, 2),
            GemmGflopsDedicated: Math.Round(gemmPerCpu * threads / 1e9, 2),
            StreamBytesPerArray: elements * sizeof(float),
            ManagedCopyGbps: Math.Round(managedCopy / 1e9, 2),
            ManagedTriadGbps: Math.Round(managedTriad / 1e9, 2),
            TorchCopyGbps: Math.Round(torchCopy / 1e9, 2),
            TorchTriadGbps: Math.Round(torchTriad / 1e9, 2),
            RidgeFlopsPerByte: Math.Round(gemm / bandwidth, 2),
            CpuUtilization: Math.Round(utilization, 3),
            Seconds: Math.Round(wall, 2));
        CliRun.Finish(json, result,
            $"bench-roofline: GEMM {gemm / 1e9:F1} GFLOP/s (n={gemmSize}; {gemmPerCpu * threads / 1e9:F1} with the cores to itself); bandwidth managed copy {managedCopy / 1e9:F1} / triad {managedTriad / 1e9:F1} GB/s, " +
            $"torch copy {torchCopy / 1e9:F1} / triad {torchTriad / 1e9:F1} GB/s; ridge {gemm / bandwidth:F1} FLOP/byte; {threads} threads, CPU utilization {utilization:P0}");
        return result;
    }

    /// <summary>Best FLOP/s of C = A·B (2n³ operations) over the repeats, after one warm-up product, and the best FLOP
    /// per CPU-second of the process.</summary>
    private static (double PerSecond, double PerCpuSecond) Gemm(int n, int repeats)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor a = randn(n, n), b = randn(n, n);
        Tensor c = matmul(a, b);
        double best = 0, bestPerCpu = 0;
        for (int r = 0; r < repeats; r++)
        {
            TimeSpan cpu = CpuTime();
            long start = Stopwatch.GetTimestamp();
            using Tensor product = matmul(a, b);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpuSeconds = (CpuTime() - cpu).TotalSeconds;
            best = Math.Max(best, 2.0 * n * n * n / seconds);
            if (cpuSeconds > 0)
            {
                bestPerCpu = Math.Max(bestPerCpu, 2.0 * n * n * n / cpuSeconds);
            }
        }

        GC.KeepAlive(c);
        return (best, bestPerCpu);
    }

    /// <summary>
    /// Best bytes/s of copy (a = b: 2 arrays moved) and triad (a = b + s·c: 3 arrays moved), STREAM's counting (no
    /// write-allocate traffic), each thread on its own contiguous chunk.
    /// </summary>
    private static (double Copy, double Triad) ManagedStream(int n, int repeats, int threads)
    {
        float[] a = new float[n], b = new float[n], c = new float[n];
        Array.Fill(b, 1f);
        Array.Fill(c, 2f);
        int chunks = threads;
        long chunk = ((long)n + chunks - 1) / chunks;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double copy = 0, triad = 0;
        for (int r = 0; r <= repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, chunks, options, k => Slice(b, k, chunk).CopyTo(Slice(a, k, chunk)));
            double copySeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            Parallel.For(0, chunks, options, k => TensorPrimitives.MultiplyAdd(Slice(c, k, chunk), 0.5f, Slice(b, k, chunk), Slice(a, k, chunk)));
            double triadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0)
            {
                // Repeat 0 warms up (page faults of the first touch, JIT).
                copy = Math.Max(copy, 2.0 * n * sizeof(float) / copySeconds);
                triad = Math.Max(triad, 3.0 * n * sizeof(float) / triadSeconds);
            }
        }

        return (copy, triad);
    }

    /// <summary>The same in torch's kernels: a.copy_(b) and b.add_(c, alpha) (reads b and c, writes b).</summary>
    private static (double Copy, double Triad) TorchStream(long n, int repeats)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor a = zeros(n), b = ones(n), c = full(n, 2f);
        double copy = 0, triad = 0;
        for (int r = 0; r <= repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            a.copy_(b);
            double copySeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            b.add_(c, alpha: r % 2 == 0 ? 0.5 : -0.5);
            double triadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0)
            {
                copy = Math.Max(copy, 2.0 * n * sizeof(float) / copySeconds);
                triad = Math.Max(triad, 3.0 * n * sizeof(float) / triadSeconds);
            }
        }

        return (copy, triad);
    }

    private static Span<float> Slice(float[] array, int k, long chunk)
    {
        long start = Math.Min(array.Length, k * chunk);
        return array.AsSpan((int)start, (int)Math.Min(chunk, array.Length - start));
    }

    private static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
