using System.CommandLine;

namespace NetflixRec.Training.Cli;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print a machine-readable JSON result instead of the summary line." };

    public static Option<int> Threads() => PositiveInt("--threads", "Worker threads (default: all cores).", Environment.ProcessorCount);

    /// <summary>An integer option that must be at least 1; a smaller value is a parse error naming the option.</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError($"{name} must be at least 1"); } } },
    };

    public static Option<string> RequiredPath(string name, string description) => new(name) { Description = description, Required = true };
}
