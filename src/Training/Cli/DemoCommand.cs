using System.CommandLine;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec demo [--out DIR]</c>: the README's main job on the embedded default. Today it generates the small
/// synthetic Prize and ingests it; training, comparison and export join as those stages land.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        Option<string> output = new("--out") { Description = "Working directory (default: ./demo).", DefaultValueFactory = _ => "demo" };
        Option<int> threads = CommonOptions.Threads();
        var command = new Command("demo", "Run the whole pipeline on the embedded default: generate the small set, then ingest it.")
        {
            output, threads,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            string root = parse.GetRequiredValue(output);
            string netflix = Path.Combine(root, "netflix-small");
            string dataset = Path.Combine(root, "dataset-small");
            Data.OutputDirectory.EnsureAbsentOrEmpty(netflix);
            Data.OutputDirectory.EnsureAbsentOrEmpty(dataset);
            GenerateCommand.Run(GeneratorScale.Small, netflix, GenerateCommand.DefaultSeed, json: false);
            IngestCommand.Run(netflix, dataset, parse.GetValue(threads), json: false);
            Console.Out.WriteLine($"demo: dataset ready in {dataset}; stream it with: netflixrec serve-data --data {dataset}");
            return CliRun.Success;
        }));
        return command;
    }
}
