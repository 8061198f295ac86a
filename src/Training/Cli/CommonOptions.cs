using System.CommandLine;
using System.Text.Json.Nodes;

namespace NetflixRec.Training.Cli;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print a machine-readable JSON result instead of the summary line." };

    public static Option<int> Threads() => PositiveInt("--threads", "Worker threads (default: all cores).", Environment.ProcessorCount);

    /// <summary>
    /// The option's value for a range validator, or null when the text is not a <typeparamref name="T"/> at all: the parser
    /// then reports that itself ("Cannot parse argument 'x' for option '--threads'"), and the validator must not throw.
    /// </summary>
    public static T? Parsed<T>(System.CommandLine.Parsing.OptionResult result) where T : struct
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An integer option that must be at least 1; a smaller value is a parse error naming the option.</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (Parsed<int>(r) is < 1) { r.AddError($"{name} must be at least 1"); } } },
    };

    /// <summary>bench-ae/bench-gnn: time only this fraction of each epoch (see <see cref="Models.EpochBudget"/>).</summary>
    public static Option<double> EpochFraction() => new("--epoch-fraction")
    {
        Description = "Run only this fraction of each epoch's batches and extrapolate the epoch time (for full scale, where an epoch takes hours).",
        DefaultValueFactory = _ => 1.0,
        Validators = { r => { if (Parsed<double>(r) is { } f && f is not (> 0 and <= 1)) { r.AddError($"--epoch-fraction must be in (0, 1], got {f}"); } } },
    };

    /// <summary>compare and the benchmarks: per-model hyperparameter overrides, {"model": {...}}.</summary>
    public static Option<string?> ModelOverrides() => new("--config")
    {
        Description = "JSON object of per-model hyperparameter overrides: {\"biased-mf\": {\"factors\": 128}, ...}.",
    };

    /// <summary>The overrides for <paramref name="model"/> from a <see cref="ModelOverrides"/> object (a fresh copy).</summary>
    public static JsonObject OverridesFor(JsonObject? all, string model) =>
        all?[model] is JsonObject own ? (JsonObject)own.DeepClone() : [];

    public static Option<string> RequiredPath(string name, string description) => new(name) { Description = description, Required = true };
}
