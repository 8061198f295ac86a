using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-gnn --data DATASET_DIR [--models gcmc,lightgcn,sage] [--epochs 2] [--threads N] [--json]</c>:
/// trains each graph model for a fixed number of epochs with its default hyperparameters (no early stopping) and prints
/// the set-up time (graph, normalized adjacencies, parameters), the time of each epoch and the resident memory after
/// each epoch, which must stay flat. Run one model per process when its own peak memory matters (the peak is per process).
/// </summary>
internal static class BenchGnnCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> models = new("--models")
        {
            Description = "Comma-separated graph models to time.",
            DefaultValueFactory = _ => string.Join(',', GraphModels.Entries.Select(e => e.Name)),
        };
        Option<int> epochs = CommonOptions.PositiveInt("--epochs", "Epochs to time per model.", 2);
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench-gnn", "Time the graph models' epochs on the training partition and print seconds per epoch and memory.")
        {
            data, models, epochs, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(data), parse.GetRequiredValue(models), parse.GetValue(epochs), parse.GetValue(threads), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static IReadOnlyDictionary<string, object?> Run(string dataDirectory, string modelList, int epochs, int threads, bool json)
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
            JsonObject hyperparameters = ModelConfig.Merge(name, new JsonObject
            {
                ["max_epochs"] = epochs,
                ["patience"] = 0,
                ["threads"] = threads,
            });
            TrainingData trainingData = TrainCommand.Prepare(dataset, hyperparameters, "defaults.json");
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long rssBefore = Environment.WorkingSet;
            var records = new List<(EpochRecord Record, long Rss, double Cpu)>();
            var clock = Stopwatch.StartNew();
            TimeSpan cpuStart = CpuTime();
            TimeSpan cpuMark = cpuStart;
            ModelCatalog.Find(name).Train(trainingData, hyperparameters, new SynchronousProgress<EpochRecord>(r =>
            {
                // CPU seconds since the previous epoch ended: the epoch plus its RMSE checks. On shared cores wall time overstates the cost.
                TimeSpan now = CpuTime();
                records.Add((r, Environment.WorkingSet, (now - cpuMark).TotalSeconds));
                cpuMark = now;
                CliRun.Progress($"bench-gnn: {name} epoch {r.Epoch}: {r.Seconds:F2} s, train RMSE {r.TrainRmse:F4}, validation RMSE {r.ValidationRmse:F4}, RSS {CliRun.Megabytes(Environment.WorkingSet)}");
            }));
            double total = clock.Elapsed.TotalSeconds;
            double epochSeconds = records.Sum(r => r.Record.Seconds);
            double perEpoch = epochSeconds / records.Count;
            var result = new Dictionary<string, object?>
            {
                ["model"] = name,
                ["ratings"] = trainingData.Train.Count,
                ["users"] = trainingData.Users,
                ["movies"] = trainingData.Movies,
                ["epochs"] = records.Count,
                ["epoch_seconds"] = records.Select(r => Math.Round(r.Record.Seconds, 3)).ToArray(),
                ["seconds_per_epoch"] = Math.Round(perEpoch, 3),
                ["cpu_seconds_per_epoch_with_checks"] = records.Select(r => Math.Round(r.Cpu, 3)).ToArray(),
                ["ratings_per_second"] = Math.Round(trainingData.Train.Count / perEpoch),
                // Everything outside the epochs: graph and adjacency construction, parameters, and the per-epoch RMSE checks.
                ["setup_and_validation_seconds"] = Math.Round(total - epochSeconds, 3),
                ["rss_before_bytes"] = rssBefore,
                ["rss_after_epoch_bytes"] = records.Select(r => r.Rss).ToArray(),
                ["peak_rss_bytes"] = CliRun.PeakResidentBytes(),
                ["validation_rmse"] = Math.Round(records[^1].Record.ValidationRmse, 5),
            };
            results.Add(result);
            summaries.Add($"{name}: {perEpoch:F2} s/epoch ({records.Average(r => r.Cpu):F1} CPU-s with checks; {trainingData.Train.Count / perEpoch / 1e6:F2} M ratings/s), set-up+checks {total - epochSeconds:F1} s, " +
                $"RSS after epochs {string.Join("/", records.Select(r => CliRun.Megabytes(r.Rss)))}, peak {CliRun.Megabytes(CliRun.PeakResidentBytes())}");
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

    /// <summary>Reports on the training thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
