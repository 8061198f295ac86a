using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec demo [--out DIR]</c>: the README's main job on the embedded default — generate the small synthetic
/// Prize, ingest it, compare one or more models of every family under time budgets that fit about ten minutes on two
/// cores (each exported to ONNX), and print where the report is and the command that serves the models.
/// Re-running resumes: a complete dataset and the models already trained are reused.
/// </summary>
internal static class DemoCommand
{
    public static readonly string[] Models = ["bias", "time-bias", "biased-mf", "svdpp", "timesvdpp", "autorec-i", "autorec-u", "deep-ae", "mult-vae", "gcmc", "lightgcn", "sage"];

    public static Command Create()
    {
        Option<string> output = new("--out") { Description = "Working directory (default: ./demo).", DefaultValueFactory = _ => "demo" };
        Option<string> scale = new("--scale") { Description = "Synthetic Prize scale: tiny|small (default)|medium|full.", DefaultValueFactory = _ => "small" };
        Option<int> threads = CommonOptions.Threads();
        var command = new Command("demo", "Generate the small synthetic Prize, ingest it, compare every model family, export to ONNX, print the report.")
        {
            output, scale, threads,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(output), GenerateCommand.ParseScale(parse.GetRequiredValue(scale)), parse.GetValue(threads));
            return CliRun.Success;
        }));
        return command;
    }

    private static void Run(string root, GeneratorScale scale, int threads)
    {
        string name = scale.ToString().ToLowerInvariant();
        string netflix = Path.Combine(root, "netflix-" + name);
        string dataset = Path.Combine(root, "dataset-" + name);
        string study = Path.Combine(root, "study-" + name);
        if (File.Exists(Path.Combine(dataset, "manifest.json")))
        {
            CliRun.Progress($"demo: reusing the dataset in {dataset}");
        }
        else
        {
            Data.OutputDirectory.EnsureAbsentOrEmpty(netflix);
            Data.OutputDirectory.EnsureAbsentOrEmpty(dataset);
            GenerateCommand.Run(scale, netflix, GenerateCommand.DefaultSeed, json: false);
            IngestCommand.Run(netflix, dataset, threads, json: false);
        }

        var plan = new StudyPlan(dataset, Models, Budgets(), study, Bootstrap: 1000, threads,
            $"netflixrec demo --out {root} --scale {name}");
        StudyOutcome outcome = StudyRunner.Run(plan);
        CompareCommand.Print(outcome, json: false);
        Console.Out.WriteLine();
        Console.Out.WriteLine(File.ReadAllText(outcome.ReportPath).Split("## Findings")[0].Split("## Results")[1].Trim());
        Console.Out.WriteLine();
        Console.Out.WriteLine($"demo: the study is in {outcome.ReportPath} (results.json and charts beside it)");
        Console.Out.WriteLine($"demo: serve the models with: dotnet run --project src/Serving -c Release -- --models {Path.Combine(study, StudyRunner.ModelsDirectoryName)} --urls http://127.0.0.1:5080");
    }

    /// <summary>The demo's per-model overrides (embedded demo.json): epoch budgets that keep the whole run near ten minutes.</summary>
    private static JsonObject Budgets()
    {
        using Stream stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("NetflixRec.Training.Cli.demo.json")
            ?? throw new InvalidOperationException("the embedded demo.json is missing from the build");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
