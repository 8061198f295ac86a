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

    public static BenchGnnSummary Run(string dataDirectory, string modelList, int epochs, int threads, bool json, double epochFraction = 1, JsonObject? overrides = null)
    {
        string[] names = modelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            if (ModelCatalog.Find(name).Family != ModelFamily.Graph)
            {
                throw new ArgumentException($"--models: '{name}' is not a graph model; graph models: {string.Join(", ", GraphModels.Entries.Select(e => e.Name))}");
            }
        }

        var results = new List<BenchGnnModelTimings>();
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
            ProcessMemory.ReleaseFreed();
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
                CliRun.Progress($"bench-gnn: {name} epoch {r.Epoch}: {r.Seconds:F2} s for {budget.Done:P1} of it, train RMSE {r.TrainRmse:F4}, validation RMSE {r.ValidationRmse:F4}, {ProcessMemory.Describe()}");
            }));

            double total = clock.Elapsed.TotalSeconds;
            double epochSeconds = records.Sum(r => r.Record.Seconds);
            double perEpoch = records.Average(r => r.Whole);
            long peak = CliRun.PeakResidentBytes();
            results.Add(new BenchGnnModelTimings(
                Model: name,
                Ratings: trainingData.Train.Count,
                Users: trainingData.Users,
                Movies: trainingData.Movies,
                Epochs: records.Count,
                EpochSeconds: [.. records.Select(r => Math.Round(r.Record.Seconds, 3))],
                EpochFractionDone: [.. records.Select(r => Math.Round(r.Done, 4))],
                SecondsPerEpoch: Math.Round(perEpoch, 3),
                Extrapolated: records.Any(r => r.Done < 1),
                EpochCpuSeconds: [.. records.Select(r => Math.Round(r.EpochCpu, 3))],
                CpuSecondsWithChecks: [.. records.Select(r => Math.Round(r.Cpu, 3))],
                RatingsPerSecond: Math.Round(trainingData.Train.Count / perEpoch),
                SetupAndValidationSeconds: Math.Round(total - epochSeconds, 3),
                RssBeforeBytes: rssBefore,
                RssAfterEpochBytes: [.. records.Select(r => r.Rss)],
                PeakRssBytes: peak,
                ValidationRmse: Math.Round(records[^1].Record.ValidationRmse, 5)));
            string extrapolated = records.Any(r => r.Done < 1) ? $" (extrapolated from {records.Average(r => r.Done):P1} of each epoch)" : "";
            summaries.Add($"{name}: {perEpoch:F2} s/epoch, {records.Average(r => r.EpochCpu):F1} CPU-s/epoch{extrapolated} ({records.Average(r => r.Cpu):F1} CPU-s with checks; {trainingData.Train.Count / perEpoch / 1e6:F2} M ratings/s), set-up+checks {total - epochSeconds:F1} s, " +
                $"RSS after epochs {string.Join("/", records.Select(r => CliRun.Megabytes(r.Rss)))}, peak {CliRun.Megabytes(peak)}");
        }

        var output = new BenchGnnSummary(threads, results);
        CliRun.Finish(json, output, "bench-gnn: " + string.Join("; ", summaries));
        return output;
    }

    private static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
