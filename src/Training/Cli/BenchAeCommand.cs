using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-ae --data DATASET_DIR [--models a,b] [--epochs 2] [--epoch-fraction F] [--config FILE] [--threads N] [--json]</c>:
/// trains each autoencoder for a fixed number of epochs over the whole training partition (no validation slice, no early
/// stopping, defaults plus the file's per-model overrides otherwise) and prints training ratings per second for every
/// epoch and the peak RSS while training; with F &lt; 1 only that part of each epoch runs and the time is extrapolated. An epoch's time covers
/// all its mini-batches and copying the weights out of torch into the inference model (for autorec-i also encoding
/// every movie). Each epoch's CPU seconds (extrapolated the same way) are reported beside its wall time.
/// </summary>
internal static class BenchAeCommand
{
    private static readonly string[] s_models = ["autorec-i", "autorec-u", "deep-ae", "mult-vae"];

    public static Command Create() => EpochBenchCommand.Create("bench-ae", "Time the autoencoders' training epochs and print ratings per second.",
        "Comma-separated autoencoders to time.", s_models, (data, models, epochs, threads, json, fraction, overrides) =>
            Run(data, models, epochs, threads, json, fraction, overrides));

    public static BenchAeSummary Run(string dataDirectory, string modelList, int epochs, int threads, bool json, double epochFraction = 1, JsonObject? overrides = null)
    {
        string[] names = [.. modelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        foreach (string name in names)
        {
            if (!s_models.Contains(name))
            {
                throw new ArgumentException($"--models: '{name}' is not an autoencoder; known: {string.Join(", ", s_models)}");
            }
        }

        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        var results = new List<BenchAeModelTimings>();
        var lines = new List<string>();
        foreach (string name in names)
        {
            JsonObject own = CommonOptions.OverridesFor(overrides, name);
            own["max_epochs"] = epochs;
            own["threads"] = threads;
            own["validation_fraction"] = 0.0;
            TrainingOptions config = ModelCatalog.Configure(name, own, "bench-ae");
            if (config is EarlyStoppingOptions stopping)
            {
                config = stopping with { Patience = 0 };
            }

            TrainingData data = TrainingData.Load(dataset, config.ValidationFraction, config.Seed);

            // The previous model's garbage and its freed torch memory go back first: the peak below is this model's.
            ProcessMemory.ReleaseFreed();
            long ratings = data.Train.Count;
            CliRun.Progress($"bench-ae: {name} on {ratings:N0} ratings ({data.Users:N0} users × {data.Movies:N0} movies), {threads} threads, {ModelConfig.ToJson(config).ToJsonString()}");
            CliRun.ResetPeakResident();
            var budget = new EpochBudget(epochFraction);
            var done = new List<double>();
            var whole = new List<double>();
            var cpu = new List<double>();
            using var timeline = new CpuTimeline();
            TrainedModel trained = ModelCatalog.Find(name).Train(data with { Budget = budget }, config, new SynchronousProgress<EpochRecord>(e =>
            {
                done.Add(budget.Done);
                whole.Add(budget.Extrapolate(e.Seconds));
                // The epoch's CPU seconds, scaled like its wall time: on shared cores the honest cost.
                double end = timeline.Now;
                cpu.Add(timeline.CpuBetween(end - e.Seconds, end) * whole[^1] / e.Seconds);
                CliRun.Progress($"bench-ae: {name} epoch {e.Epoch}: {e.Seconds:F1} s for {budget.Done:P1} of it, {ratings * budget.Done / e.Seconds:N0} ratings/s, train RMSE {e.TrainRmse:F4}, {ProcessMemory.Describe()}");
            }));

            long peak = CliRun.PeakResidentBytes();

            double[] seconds = [.. whole];
            double rate = ratings * seconds.Length / seconds.Sum();
            results.Add(new BenchAeModelTimings(
                Model: name,
                Ratings: ratings,
                Epochs: seconds.Length,
                EpochSeconds: [.. seconds.Select(s => Math.Round(s, 3))],
                EpochFractionDone: [.. done.Select(d => Math.Round(d, 4))],
                Extrapolated: done.Any(d => d < 1),
                EpochCpuSeconds: [.. cpu.Select(c => Math.Round(c, 3))],
                PeakRssBytes: peak,
                RatingsPerSecond: Math.Round(rate),
                BestEpochRatingsPerSecond: Math.Round(ratings / seconds.Min()),
                Parameters: trained.Model.Tensors.Sum(t => t.ElementCount)));
            string extrapolated = done.Any(d => d < 1) ? $", extrapolated from {done.Average():P1} of each epoch" : "";
            lines.Add($"{name} {rate:N0} ratings/s ({seconds.Average():F1} s/epoch, {cpu.Average():F1} CPU-s/epoch{extrapolated}; peak RSS {CliRun.Megabytes(peak)})");
        }

        var result = new BenchAeSummary(results, threads);
        CliRun.Finish(json, result, $"bench-ae: {string.Join("; ", lines)}; {threads} threads");
        return result;
    }
}
