using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec demo [--out DIR]</c>: the README's main job on the embedded default — generate the small synthetic
/// Prize, ingest it, train and evaluate every available model on the probe split, print the results table.
/// </summary>
internal static class DemoCommand
{
    public static readonly string[] Models = ["bias", "biased-mf", "biased-mf-als", "svdpp", "nmf"];

    public static Command Create()
    {
        Option<string> output = new("--out") { Description = "Working directory (default: ./demo).", DefaultValueFactory = _ => "demo" };
        Option<int> threads = CommonOptions.Threads();
        var command = new Command("demo", "Generate the small synthetic Prize, ingest it, train and evaluate every model, print the table.")
        {
            output, threads,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(output), parse.GetValue(threads));
            return CliRun.Success;
        }));
        return command;
    }

    private static void Run(string root, int threads)
    {
        string netflix = Path.Combine(root, "netflix-small");
        string dataset = Path.Combine(root, "dataset-small");
        string models = Path.Combine(root, "models");
        Data.OutputDirectory.EnsureAbsentOrEmpty(netflix);
        Data.OutputDirectory.EnsureAbsentOrEmpty(dataset);
        Data.OutputDirectory.EnsureAbsentOrEmpty(models);
        GenerateCommand.Run(GeneratorScale.Small, netflix, GenerateCommand.DefaultSeed, json: false);
        IngestCommand.Run(netflix, dataset, threads, json: false);

        var rows = new List<JsonObject>();
        foreach (string model in Models)
        {
            string directory = Path.Combine(models, model);
            TrainCommand.Run(dataset, model, configPath: null, directory, json: false);
            JsonObject result = EvaluateCommand.Run(dataset, directory, threads);
            EvaluateCommand.Print(result, json: false);
            ExportCommand.Run(directory, dataset, json: false); // self-contained for the server: model.onnx, ID maps, history
            rows.Add(result);
        }

        Console.Out.WriteLine();
        Console.Out.WriteLine(Table(rows));
        Console.Out.WriteLine($"demo: dataset in {dataset}, models in {models}; stream the dataset with: netflixrec serve-data --data {dataset}");
    }

    /// <summary>The results as a Markdown table (the same columns as the README's).</summary>
    public static string Table(IReadOnlyList<JsonObject> rows)
    {
        static string F(JsonObject row, string name, string format) =>
            row[name] is JsonValue v && v.TryGetValue(out double d) ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        var lines = new List<string>
        {
            "| model | family | RMSE | MAE | Recall@20 | NDCG@20 | coverage@20 | train s | epoch s |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(rows.Select(r =>
            $"| {r["model"]} | {r["family"]} | {F(r, "rmse", "F4")} | {F(r, "mae", "F4")} | {F(r, "recall@20", "F4")} | {F(r, "ndcg@20", "F4")} | " +
            $"{F(r, "coverage@20", "F3")} | {F(r, "train_seconds", "F1")} | {F(r, "epoch_seconds", "F2")} |"));
        if (rows.Count > 0)
        {
            lines.Add($"oracle RMSE (irreducible error of the generator): {F(rows[0], "oracle_rmse", "F4")}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
