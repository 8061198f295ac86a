using System.CommandLine;
using System.Text.Json.Nodes;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>The command line bench-ae and bench-gnn share: the same options, parsed into one call of the command's run.</summary>
internal static class EpochBenchCommand
{
    public delegate void Runner(string dataDirectory, string modelList, int epochs, int threads, bool json, double epochFraction, JsonObject? overrides);

    public static Command Create(string name, string description, string modelsDescription, IEnumerable<string> models, Runner run)
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> modelList = new("--models")
        {
            Description = modelsDescription,
            DefaultValueFactory = _ => string.Join(',', models),
        };
        Option<int> epochs = CommonOptions.PositiveInt("--epochs", "Epochs to time per model.", 2);
        Option<int> threads = CommonOptions.Threads();
        Option<double> fraction = CommonOptions.EpochFraction();
        Option<string?> config = CommonOptions.ModelOverrides();
        Option<bool> json = CommonOptions.Json();
        var command = new Command(name, description)
        {
            data, modelList, epochs, threads, fraction, config, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            run(parse.GetRequiredValue(data), parse.GetRequiredValue(modelList), parse.GetValue(epochs), parse.GetValue(threads), parse.GetValue(json),
                parse.GetValue(fraction), parse.GetValue(config) is { } path ? ModelConfig.ReadFile(path) : null);
            return CliRun.Success;
        }));
        return command;
    }
}
