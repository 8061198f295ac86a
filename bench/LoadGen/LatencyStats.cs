using System.Diagnostics;
using System.Globalization;

namespace NetflixRec.Bench.LoadGen;

/// <summary>Percentiles of a set of latencies (Stopwatch ticks) and the throughput of the window they came from.</summary>
internal sealed record LatencyStats(long Count, long Errors, double Seconds, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public double PerSecond => Count / Seconds;

    /// <summary>CPU time the server and the client (this process) spent in the measured window, when known.</summary>
    public CpuUse? Cpu { get; init; }

    public static LatencyStats From(IEnumerable<long[]> perWorker, IEnumerable<int> counts, long errors, double seconds)
    {
        long[] all = [.. perWorker.Zip(counts, (ticks, n) => ticks.Take(n)).SelectMany(t => t)];
        Array.Sort(all);
        double Ms(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new LatencyStats(all.Length, errors, seconds, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1.0));
    }

    public string Row(string label)
    {
        // On a shared machine the wall rate mostly measures the other jobs; CPU per request says what 2 cores would do.
        string server = Cpu is { } c && c.ServerSeconds > 0 ? (c.ServerSeconds * 1e6 / Count).ToString("F0", CultureInfo.InvariantCulture) : "–";
        string client = Cpu is { } d ? (d.ClientSeconds * 1e6 / Count).ToString("F0", CultureInfo.InvariantCulture) : "–";
        string capacity = Cpu is { } e ? (Environment.ProcessorCount * Count / (e.ServerSeconds + e.ClientSeconds)).ToString("N0", CultureInfo.InvariantCulture) : "–";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {P50Ms:F3} | {P95Ms:F3} | {P99Ms:F3} | {MaxMs:F2} | {PerSecond:N0} | {Count:N0} | {Errors} | {server} | {client} | {capacity} |");
    }

    /// <summary>The last column: requests per second if the server and client had all the machine's cores to themselves.</summary>
    public static string Header => string.Create(CultureInfo.InvariantCulture,
        $"| run | p50 ms | p95 ms | p99 ms | max ms | req/s | requests | errors | server CPU µs/req | client CPU µs/req | req/s on {Environment.ProcessorCount} idle cores (CPU-bound) |\n|---|---|---|---|---|---|---|---|---|---|---|");
}

/// <summary>CPU seconds used in a window by the server process (0 when unknown) and by this process.</summary>
internal sealed record CpuUse(double ServerSeconds, double ClientSeconds)
{
    public static (TimeSpan Server, TimeSpan Client) Sample(int? serverPid)
    {
        TimeSpan server = TimeSpan.Zero;
        if (serverPid is { } pid)
        {
            using var process = Process.GetProcessById(pid);
            server = process.TotalProcessorTime;
        }

        using Process self = Process.GetCurrentProcess();
        return (server, self.TotalProcessorTime);
    }

    public static CpuUse Between((TimeSpan Server, TimeSpan Client) start, (TimeSpan Server, TimeSpan Client) end) =>
        new((end.Server - start.Server).TotalSeconds, (end.Client - start.Client).TotalSeconds);
}
