using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// What <c>tune</c> may change for one model: a range per hyperparameter. Each model's space lives in the embedded
/// <c>search_spaces.json</c> beside <c>defaults.json</c>; <c>--space FILE</c> replaces it. Every parameter must be a
/// field of the model's defaults, so a typo is an error, not a silently ignored setting.
/// </summary>
public sealed record SearchSpace(string Model, IReadOnlyList<ParameterRange> Parameters)
{
    private static readonly Lazy<JsonObject> s_embedded = new(LoadEmbedded);

    /// <summary>The embedded space of <paramref name="model"/>.</summary>
    public static SearchSpace For(string model) =>
        s_embedded.Value[model] is JsonObject spec
            ? Parse(model, spec, "search_spaces.json")
            : throw new ArgumentException($"--model: no search space for '{model}' in search_spaces.json", nameof(model));

    /// <summary>
    /// Reads a --space file: either one model's ranges (<c>{"learning_rate": {...}}</c>) or an object keyed by model names
    /// like search_spaces.json, from which <paramref name="model"/>'s entry is taken.
    /// </summary>
    public static SearchSpace ReadFile(string path, string model)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: a search space must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }

        bool keyedByModel = root.Count > 0 && root.All(p => ModelCatalog.Names.Contains(p.Key));
        if (keyedByModel)
        {
            return root[model] is JsonObject own
                ? Parse(model, own, path)
                : throw new InvalidDataException($"{path}: no entry for model '{model}' (it has {string.Join(", ", root.Select(p => p.Key))})");
        }

        return Parse(model, root, path);
    }

    /// <summary>Validates a space against the model's defaults: known fields only, well-formed ranges, at least one.</summary>
    public static SearchSpace Parse(string model, JsonObject spec, string source)
    {
        JsonObject defaults = ModelConfig.Defaults(model);
        var parameters = new List<ParameterRange>();
        foreach ((string name, JsonNode? node) in spec)
        {
            if (!defaults.ContainsKey(name))
            {
                throw new InvalidDataException($"{source}: '{name}' is not a hyperparameter of {model} (known: {string.Join(", ", defaults.Select(p => p.Key))})");
            }

            if (name is "seed" or "threads" or "validation_fraction" or "device")
            {
                throw new InvalidDataException($"{source}: '{name}' is fixed while tuning (it is not a model choice; set it with the tune options)");
            }

            parameters.Add(ParameterRange.Parse(name, node, $"{source}: {model}"));
        }

        if (parameters.Count == 0)
        {
            throw new InvalidDataException($"{source}: the search space of {model} has no parameters");
        }

        return new SearchSpace(model, parameters);
    }

    /// <summary>The space as JSON (recorded in trials.json, so that a resume can check it is the same space).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (ParameterRange p in Parameters)
        {
            json[p.Name] = p.IsChoice
                ? new JsonObject { ["type"] = "choice", ["values"] = new JsonArray([.. p.Values.Select(v => v.DeepClone())]) }
                : new JsonObject { ["type"] = TypeName(p.Kind), ["low"] = p.Low, ["high"] = p.High };
        }

        return json;
    }

    private static string TypeName(RangeKind kind) => kind switch
    {
        RangeKind.Uniform => "uniform",
        RangeKind.LogUniform => "log_uniform",
        RangeKind.Int => "int",
        RangeKind.LogInt => "log_int",
        _ => "choice",
    };

    private static JsonObject LoadEmbedded()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NetflixRec.Training.Models.search_spaces.json")
            ?? throw new InvalidOperationException("embedded search_spaces.json is missing");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
