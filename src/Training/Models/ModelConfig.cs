using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NetflixRec.Training.Models;

/// <summary>
/// Hyperparameters: each model's defaults live in the embedded <c>defaults.json</c> (one object per model name); a
/// user's JSON file overrides any of them. Unknown or ill-typed fields are errors naming the file and the field.
/// </summary>
public static class ModelConfig
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        WriteIndented = true,
    };

    private static readonly Lazy<JsonObject> s_defaults = new(LoadDefaults);

    /// <summary>The defaults of <paramref name="model"/> as JSON.</summary>
    public static JsonObject Defaults(string model) =>
        (s_defaults.Value[model]?.DeepClone().AsObject())
        ?? throw new ArgumentException($"--model: no defaults for '{model}'", nameof(model));

    /// <summary>Defaults of <paramref name="model"/> overridden by the fields of <paramref name="overrides"/>.</summary>
    public static JsonObject Merge(string model, JsonObject? overrides)
    {
        JsonObject merged = Defaults(model);
        foreach ((string key, JsonNode? value) in overrides ?? [])
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }

    /// <summary>Reads a --config file: a JSON object of hyperparameters.</summary>
    public static JsonObject ReadFile(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: empty config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: the config must be a JSON object of hyperparameters");
        }
    }

    /// <summary>The defaults of <paramref name="model"/> as its config record (<c>ModelConfig.DefaultsOf&lt;BiasConfig&gt;("bias")</c>).</summary>
    public static T DefaultsOf<T>(string model) => Bind<T>(Defaults(model), $"defaults.json: {model}");

    /// <summary>Binds hyperparameters to a model's config record; <paramref name="source"/> names where they came from in errors.</summary>
    public static T Bind<T>(JsonObject hyperparameters, string source)
    {
        try
        {
            return hyperparameters.Deserialize<T>(s_json) ?? throw new InvalidDataException($"{source}: empty config");
        }
        catch (JsonException e)
        {
            string field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? string.Empty : $" field '{e.Path.TrimStart('$', '.')}'";
            throw new InvalidDataException($"{source}:{field} {e.Message}", e);
        }
    }

    /// <summary>The config record back as JSON (what a model directory records).</summary>
    /// <remarks>Serialized as its runtime type: a config typed as its base <see cref="TrainingOptions"/> keeps its own fields.</remarks>
    public static JsonObject ToJson<T>(T config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonSerializer.SerializeToNode(config, config.GetType(), s_json)!.AsObject();
    }

    private static JsonObject LoadDefaults()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NetflixRec.Training.Models.defaults.json")
            ?? throw new InvalidOperationException("embedded defaults.json is missing");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
