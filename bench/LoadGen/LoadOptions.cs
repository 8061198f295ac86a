using System.Globalization;

namespace NetflixRec.Bench.LoadGen;

/// <summary>Command line: --target URL --model-dir DIR [--model NAME] [--k 10] [--concurrency 1,16,64] [--seconds 10]
/// [--warmup 2] [--api-key KEY] [--floor-seconds 5] [--seed 1] [--server-pid PID (to report the server's CPU per request)]
/// [--h2load-body FILE (only write h2load's request body: one gRPC frame, and exit)]
/// [--floor-batches 16,64 (batched in-process floors: one ONNX run per batch, then top-k per call; 0 = none)].</summary>
internal sealed record LoadOptions(Uri? Target, string ModelDirectory, string Model, int K, IReadOnlyList<int> Concurrency, double Seconds,
    double WarmupSeconds, string? ApiKey, double FloorSeconds, int Seed, int? ServerPid, string? H2loadBody, IReadOnlyList<int> FloorBatches)
{
    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]}: expected --option value");
            }

            values[args[i][2..]] = args[++i];
        }

        string Get(string key, string fallback) => values.TryGetValue(key, out string? v) ? v : fallback;
        double Number(string key, double fallback) => double.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string modelDirectory = values.TryGetValue("model-dir", out string? dir) ? dir : throw new ArgumentException("--model-dir: required (the served model's directory: customers and the in-process floor)");
        return new LoadOptions(
            values.TryGetValue("target", out string? target) ? new Uri(target) : null,
            modelDirectory,
            Get("model", string.Empty),
            (int)Number("k", 10),
            [.. Get("concurrency", "1,16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))],
            Number("seconds", 10),
            Number("warmup", 2),
            values.GetValueOrDefault("api-key"),
            Number("floor-seconds", 5),
            (int)Number("seed", 1),
            values.TryGetValue("server-pid", out string? pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            values.GetValueOrDefault("h2load-body"),
            [.. Get("floor-batches", "16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).Where(b => b > 0)]);
    }
}
