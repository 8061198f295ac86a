using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-gnn --data DATASET_DIR [--models gcmc,lightgcn,sage] [--epochs 2] [--epoch-fraction F] [--config FILE] [--threads N] [--json]</c>:
/// trains each graph model for a fixed number of epochs with its defaults plus the file's per-model overrides (no early
/// stopping) and prints the set-up time (graph, normalized adjacencies, parameters), the time of each epoch, the
/// resident memory after each epoch (which must stay flat) and the peak while training. With F &lt; 1 only that part of
/// each epoch's batches runs and the epoch time is extrapolated (<see cref="EpochBudget.Extrapolate"/>).
/// </summary>
internal static class BenchGnnCommand
{
    public static Command Create() => EpochBenchCommand.Create("bench-gnn", "Time the graph models' epochs on the training partition and print seconds per epoch and memory.",
        "Comma-separated graph models to time.", GraphModels.Entries.Select(e => e.Name), (data, models, epochs, threads, json, fraction, overrides) =>
            Run(data, models, epochs, threads, json, fraction, overrides));

    public static IReadOnlyDictionary<string, object?> Run(string dataDirectory, string modelList, int epochs, int threads, bool json, double epochFraction = 1, JsonObject? overrides = null)
    {
        string[] names = modelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            if (ModelCatalog.Find(name).Family != ModelFamily.Graph)
            {
                throw new ArgumentException($"--models: '{name}' is not a graph model; graph models: {string.Join(", ", GraphModels.Entries.Select(e => e.Name))}");
            }
        }

        var results = new List<Dictionary<string, object?>>();
        var summaries = new List<string>();
        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        foreach (string name in names)
        {
            JsonObject own = CommonOptions.OverridesFor(overrides, name);
            own["max_epochs"] = epochs;
            own["patience"] = 0;
            own["threads"] = threads;
            TrainingOptions config = ModelCatalog.Configure(name, own, "bench-gnn");
            TrainingData trainingData = TrainingData.Load(dataset, config.ValidationFraction, config.Seed);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long rssBefore = Environment.WorkingSet;
            CliRun.ResetPeakResident();
            var budget = new EpochBudget(epochFraction);
            var records = new List<(EpochRecord Record, long Rss, double Cpu, double Done, double Whole, double EpochCpu)>();
            using var timeline = new CpuTimeline();
            var clock = Stopwatch.StartNew();
            TimeSpan cpuStart = CpuTime();
            TimeSpan cpuMark = cpuStart;
            ModelCatalog.Find(name).Train(trainingData with { Budget = budget }, config, new SynchronousProgress<EpochRecord>(r =>
            {
                // CPU seconds since the previous epoch ended: the epoch plus its RMSE checks. On shared cores wall time overstates the cost.
                TimeSpan now = CpuTime();
                double whole = budget.Extrapolate(r.Seconds), end = timeline.Now;
                // The epoch alone (no set-up, no checks), scaled like its wall time.
                double epochCpu = timeline.CpuBetween(end - r.Seconds, end) * whole / r.Seconds;
                records.Add((r, Environment.WorkingSet, (now - cpuMark).TotalSeconds, budget.Done, whole, epochCpu));
                cpuMark = now;
                CliRun.Progress($"bench-gnn: {name} epoch {r.Epoch}: {r.Seconds:F2} s for {budget.Done:P1} of it, train RMSE {r.TrainRmse:F4}, validation RMSE {r.ValidationRmse:F4}, RSS {CliRun.Megabytes(Environment.WorkingSet)}");
            }));

            double total = clock.Elapsed.TotalSeconds;
            double epochSeconds = records.Sum(r => r.Record.Seconds);
            double perEpoch = records.Average(r => r.Whole);
            long peak = CliRun.PeakResidentBytes();
            var result = new Dictionary<string, object?>
            {
                ["model"] = name,
                ["ratings"] = trainingData.Train.Count,
                ["users"] = trainingData.Users,
                ["movies"] = trainingData.Movies,
                ["epochs"] = records.Count,
                ["epoch_seconds"] = records.Select(r => Math.Round(r.Record.Seconds, 3)).ToArray(),
                ["epoch_fraction_done"] = records.Select(r => Math.Round(r.Done, 4)).ToArray(),
                ["seconds_per_epoch"] = Math.Round(perEpoch, 3),
                ["extrapolated"] = records.Any(r => r.Done < 1),
                ["epoch_cpu_seconds"] = records.Select(r => Math.Round(r.EpochCpu, 3)).ToArray(),
                ["cpu_seconds_with_checks"] = records.Select(r => Math.Round(r.Cpu, 3)).ToArray(),
                ["ratings_per_second"] = Math.Round(trainingData.Train.Count / perEpoch),
                // Everything outside the epochs: graph and adjacency construction, parameters, and the per-epoch RMSE checks.
                ["setup_and_validation_seconds"] = Math.Round(total - epochSeconds, 3),
                ["rss_before_bytes"] = rssBefore,
                ["rss_after_epoch_bytes"] = records.Select(r => r.Rss).ToArray(),
                ["peak_rss_bytes"] = peak,
                ["validation_rmse"] = Math.Round(records[^1].Record.ValidationRmse, 5),
            };
            results.Add(result);
            string extrapolated = records.Any(r => r.Done < 1) ? $" (extrapolated from {records.Average(r => r.Done):P1} of each epoch)" : "";
            summaries.Add($"{name}: {perEpoch:F2} s/epoch, {records.Average(r => r.EpochCpu):F1} CPU-s/epoch{extrapolated} ({records.Average(r => r.Cpu):F1} CPU-s with checks; {trainingData.Train.Count / perEpoch / 1e6:F2} M ratings/s), set-up+checks {total - epochSeconds:F1} s, " +
                $"RSS after epochs {string.Join("/", records.Select(r => CliRun.Megabytes(r.Rss)))}, peak {CliRun.Megabytes(peak)}");
        }

        var output = new Dictionary<string, object?> { ["threads"] = threads, ["results"] = results };
        CliRun.Finish(json, output, "bench-gnn: " + string.Join("; ", summaries));
        return output;
    }

    private static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
