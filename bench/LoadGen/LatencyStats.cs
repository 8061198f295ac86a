using System.Diagnostics;
using System.Globalization;

namespace NetflixRec.Bench.LoadGen;

/// <summary>Percentiles of a set of latencies (Stopwatch ticks) and the throughput of the window they came from.</summary>
internal sealed record LatencyStats(long Count, long Errors, double Seconds, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public double PerSecond => Count / Seconds;

    public static LatencyStats From(IEnumerable<long[]> perWorker, IEnumerable<int> counts, long errors, double seconds)
    {
        long[] all = [.. perWorker.Zip(counts, (ticks, n) => ticks.Take(n)).SelectMany(t => t)];
        Array.Sort(all);
        double Ms(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new LatencyStats(all.Length, errors, seconds, Ms(0.50), Ms(0.95), Ms(0.99), Ms(1.0));
    }

    public string Row(string label) => string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {P50Ms:F3} | {P95Ms:F3} | {P99Ms:F3} | {MaxMs:F2} | {PerSecond:N0} | {Count:N0} | {Errors} |");

    public const string Header = "| run | p50 ms | p95 ms | p99 ms | max ms | req/s | requests | errors |\n|---|---|---|---|---|---|---|---|";
}
