using System.CommandLine;

namespace NetflixRec.Training.Cli;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print a machine-readable JSON result instead of the summary line." };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Worker threads (default: all cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--threads must be at least 1"); } } },
    };

    public static Option<string> RequiredPath(string name, string description) => new(name) { Description = description, Required = true };
}
