using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec evaluate --data DATASET_DIR --model MODEL_DIR [--json]</c>: the shared evaluation on the probe
/// partition. The metrics are also written into the model's manifest, so every later reader (compare, serving) sees them.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset the model was trained on: a directory, or the http://HOST:PORT of 'netflixrec serve-data'.");
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory written by 'netflixrec train'.");
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("evaluate", "Probe RMSE/MAE, top-N ranking (Recall, NDCG, MAP, coverage), RMSE by user activity, oracle RMSE.")
        {
            data, model, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            JsonObject result = Run(parse.GetRequiredValue(data), parse.GetRequiredValue(model), parse.GetValue(threads));
            Print(result, parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static JsonObject Run(string dataDirectory, string modelDirectory, int threads)
    {
        IRatingBatchSource dataset = DataSources.Open(dataDirectory);
        using IDisposable? connection = dataset as IDisposable;
        (IRatingModel model, ModelManifest manifest) = ModelStore.Load(modelDirectory);
        if (manifest.DataFingerprint != dataset.Manifest.Fingerprint)
        {
            throw new ArgumentException(
                $"--model: {modelDirectory} was trained on data {manifest.DataFingerprint}, but {dataDirectory} is {dataset.Manifest.Fingerprint}; evaluate on the dataset it was trained on");
        }

        CliRun.Progress($"evaluate: {manifest.Name} on {dataset.Manifest.Probe:N0} probe ratings ({threads} threads)");
        EvaluationResult result = Evaluator.Evaluate(model, RatingBatches.LoadRatings(dataset, DatasetPartition.Train),
            RatingBatches.LoadRatings(dataset, DatasetPartition.Probe), RatingBatches.LoadProbeOracle(dataset), EvaluationOptions.Default with { Threads = threads });
        JsonObject json = Describe(result, manifest, modelDirectory);
        ModelStore.UpdateMetrics(modelDirectory, MetricsOf(json));
        return json;
    }

    /// <summary>The <c>evaluate --json</c> object: the evaluation plus the training costs from the manifest.</summary>
    public static JsonObject Describe(EvaluationResult result, ModelManifest manifest, string modelDirectory)
    {
        JsonObject json = EvaluationJson.ToJsonObject(result);
        json["train_seconds"] = manifest.TrainSeconds;
        json["epochs"] = manifest.Epochs;
        json["epoch_seconds"] = manifest.LearningCurve.Count == 0 ? null : Math.Round(manifest.LearningCurve.Average(e => e.Seconds), 3);
        json["parameters"] = manifest.ParameterCount;
        // What the trained model needs to predict: its weights, and the rating history for models that read it.
        json["model_bytes"] = new[] { ModelDirectory.Weights, ModelDirectory.History }
            .Select(f => new FileInfo(Path.Combine(modelDirectory, f))).Where(f => f.Exists).Sum(f => f.Length);
        return json;
    }

    public static void Print(JsonObject result, bool json)
    {
        string Metric(string name) => result[name] is JsonValue v && v.TryGetValue(out double d) ? d.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
        Console.Out.WriteLine(json
            ? result.ToJsonString(CliRun.JsonOptions)
            : $"{result["model"]}: RMSE {Metric("rmse")}, MAE {Metric("mae")}, Recall@20 {Metric("recall@20")}, NDCG@20 {Metric("ndcg@20")}, " +
              $"coverage@20 {Metric("coverage@20")} (oracle RMSE {Metric("oracle_rmse")}; trained in {Metric("train_seconds")} s)");
    }

    /// <summary>The numeric top-level fields, for the model manifest.</summary>
    public static Dictionary<string, double> MetricsOf(JsonObject json) =>
        json.Where(p => p.Value is JsonValue v && v.TryGetValue(out double _))
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
}
