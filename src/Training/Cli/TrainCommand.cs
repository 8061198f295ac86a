using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary><c>netflixrec train --data DATASET_DIR --model NAME [--config FILE.json] --out MODEL_DIR</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest', or the http://HOST:PORT of 'netflixrec serve-data'.");
        Option<string> model = CommonOptions.RequiredPath("--model", "Model name: " + string.Join(", ", ModelCatalog.Names) + ".");
        Option<string?> config = new("--config") { Description = "JSON file of hyperparameters overriding the model's defaults." };
        Option<string> output = CommonOptions.RequiredPath("--out", "Model directory to create.");
        Option<bool> json = CommonOptions.Json();
        var command = new Command("train", "Train one model on the dataset's training partition (early stopping on a slice of it) and save it.")
        {
            data, model, config, output, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(data), parse.GetRequiredValue(model), parse.GetValue(config), parse.GetRequiredValue(output), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static TrainSummary Run(string dataDirectory, string modelName, string? configPath, string outputDirectory, bool json)
    {
        ModelEntry entry = ModelCatalog.Find(modelName);

        // The JSON is bound to the model's config record here, once: a bad field fails before any data is read.
        TrainingOptions config = ModelCatalog.Configure(modelName, configPath is null ? null : ModelConfig.ReadFile(configPath), configPath ?? "defaults.json");
        Data.OutputDirectory.EnsureAbsentOrEmpty(outputDirectory);
        IRatingBatchSource dataset = DataSources.Open(dataDirectory);
        TrainingData trainingData;
        using (dataset as IDisposable)
        {
            trainingData = TrainingData.Load(dataset, config.ValidationFraction, config.Seed);
        }

        // Loading and splitting left full copies of the ratings as garbage (~1 GB on the Prize) that the GC would hand
        // back to the OS only gradually; return it before the trainer allocates its own structures, so peak memory
        // is the trainer's, not the sum of both.
        ProcessMemory.ReleaseFreed();

        CliRun.Progress($"train: {modelName} on {trainingData.Train.Count:N0} ratings ({trainingData.Validation.Count:N0} held out for early stopping), {ModelConfig.ToJson(config).ToJsonString()}");
        var clock = Stopwatch.StartNew();
        TrainedModel trained = entry.Train(trainingData, config, new Progress<EpochRecord>(e =>
            CliRun.Progress($"train: epoch {e.Epoch}: train RMSE {e.TrainRmse:F4}, validation RMSE {e.ValidationRmse:F4} ({e.Seconds:F1} s)")));
        double seconds = clock.Elapsed.TotalSeconds;

        ModelManifest manifest = ModelStore.ManifestFor(trained, trainingData, seconds, DimsOf(trained.Model), dataDirectory);
        ModelStore.Save(outputDirectory, trained.Model, manifest);
        double validation = trained.Curve.FirstOrDefault(c => c.Epoch == trained.BestEpoch)?.ValidationRmse ?? double.NaN;
        var result = new TrainSummary(modelName, entry.Family, Math.Round(seconds, 3), trained.Curve.Count, trained.BestEpoch,
            double.IsNaN(validation) ? null : Math.Round(validation, 5), manifest.ParameterCount, outputDirectory);
        CliRun.Finish(json, result,
            $"trained {modelName} in {seconds:F1} s ({trained.Curve.Count} epochs, best {trained.BestEpoch}, validation RMSE {validation:F4}, {manifest.ParameterCount:N0} parameters) → {outputDirectory}");
        return result;
    }

    private static IReadOnlyDictionary<string, long> DimsOf(IRatingModel model) =>
        model.Tensors.ToDictionary(t => t.Name, t => t.ElementCount);
}
