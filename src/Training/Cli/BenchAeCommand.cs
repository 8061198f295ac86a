using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-ae --data DATASET_DIR [--models a,b] [--epochs 2] [--threads N] [--json]</c>: trains each
/// autoencoder for a fixed number of epochs over the whole training partition (no validation slice, no early stopping,
/// default hyperparameters otherwise) and prints training ratings per second for every epoch. An epoch's time covers
/// all its mini-batches and copying the weights out of torch into the inference model (for autorec-i also encoding
/// every movie).
/// </summary>
internal static class BenchAeCommand
{
    private static readonly string[] s_models = ["autorec-i", "autorec-u", "deep-ae", "mult-vae"];

    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> models = new("--models")
        {
            Description = "Comma-separated autoencoders to time.",
            DefaultValueFactory = _ => string.Join(',', s_models),
        };
        Option<int> epochs = CommonOptions.PositiveInt("--epochs", "Epochs to time per model.", 2);
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench-ae", "Time the autoencoders' training epochs and print ratings per second.")
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

    public static JsonObject Run(string dataDirectory, string modelList, int epochs, int threads, bool json)
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
        var results = new JsonArray();
        var lines = new List<string>();
        foreach (string name in names)
        {
            var overrides = new JsonObject { ["max_epochs"] = epochs, ["threads"] = threads, ["validation_fraction"] = 0.0 };
            JsonObject hyperparameters = ModelConfig.Merge(name, overrides);
            if (hyperparameters.ContainsKey("patience"))
            {
                hyperparameters["patience"] = 0;
            }

            TrainingData data = TrainCommand.Prepare(dataset, hyperparameters, "bench-ae");
            long ratings = data.Train.Count;
            CliRun.Progress($"bench-ae: {name} on {ratings:N0} ratings ({data.Users:N0} users × {data.Movies:N0} movies), {threads} threads, {hyperparameters.ToJsonString()}");
            TrainedModel trained = ModelCatalog.Find(name).Train(data, hyperparameters, new Progress<EpochRecord>(e =>
                CliRun.Progress($"bench-ae: {name} epoch {e.Epoch}: {e.Seconds:F1} s, {ratings / e.Seconds:N0} ratings/s, train RMSE {e.TrainRmse:F4}")));
            double[] seconds = [.. trained.Curve.Select(e => e.Seconds)];
            double rate = ratings * seconds.Length / seconds.Sum();
            results.Add(new JsonObject
            {
                ["model"] = name,
                ["ratings"] = ratings,
                ["epochs"] = seconds.Length,
                ["epoch_seconds"] = new JsonArray([.. seconds.Select(s => JsonValue.Create(Math.Round(s, 3)))]),
                ["ratings_per_second"] = Math.Round(rate),
                ["best_epoch_ratings_per_second"] = Math.Round(ratings / seconds.Min()),
                ["parameters"] = trained.Model.Tensors.Sum(t => t.ElementCount),
            });
            lines.Add($"{name} {rate:N0} ratings/s ({seconds.Average():F1} s/epoch)");
        }

        long peak = CliRun.PeakResidentBytes();
        var result = new JsonObject { ["results"] = results, ["threads"] = threads, ["peak_rss_bytes"] = peak };
        if (json)
        {
            Console.Out.WriteLine(result.ToJsonString(CliRun.JsonOptions));
        }
        else
        {
            Console.Out.WriteLine($"bench-ae: {string.Join("; ", lines)}; {threads} threads; peak RSS {CliRun.Megabytes(peak)}");
        }

        return result;
    }
}
