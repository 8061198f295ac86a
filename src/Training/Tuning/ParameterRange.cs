using System.Globalization;
using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>How a hyperparameter's values are spread: the samplers work in a unit cube and map through this.</summary>
public enum RangeKind
{
    /// <summary>A real number, uniform between low and high.</summary>
    Uniform,

    /// <summary>A positive real number, uniform in its logarithm (rates, regularization).</summary>
    LogUniform,

    /// <summary>An integer, uniform between low and high inclusive.</summary>
    Int,

    /// <summary>A positive integer, uniform in its logarithm (layer widths, factor counts).</summary>
    LogInt,

    /// <summary>One of a list of JSON values (numbers, arrays, strings), unordered.</summary>
    Choice,
}

/// <summary>
/// One tunable hyperparameter: its name (a field of the model's config), kind and bounds. Samplers propose a point of the
/// unit interval (or a choice index); <see cref="FromUnit"/> maps it to the config value and <see cref="ToUnit"/> back.
/// </summary>
public sealed record ParameterRange(string Name, RangeKind Kind, double Low, double High, IReadOnlyList<JsonNode> Values)
{
    public bool IsChoice => Kind == RangeKind.Choice;

    /// <summary>The config value of unit coordinate <paramref name="u"/> in [0, 1] (for a choice: ⌊u·count⌋).</summary>
    public JsonNode FromUnit(double u)
    {
        u = Math.Clamp(u, 0, 1);
        return Kind switch
        {
            // Clamped: exp(log x) can land an ulp outside the range, and the bounds are promises to the trainer.
            RangeKind.Uniform => JsonValue.Create(Math.Clamp(Low + (u * (High - Low)), Low, High)),
            RangeKind.LogUniform => JsonValue.Create(Math.Clamp(Math.Exp(Math.Log(Low) + (u * (Math.Log(High) - Math.Log(Low)))), Low, High)),
            RangeKind.Int => JsonValue.Create((int)Math.Round(Low + (u * (High - Low)))),
            RangeKind.LogInt => JsonValue.Create((int)Math.Round(Math.Exp(Math.Log(Low) + (u * (Math.Log(High) - Math.Log(Low)))))),
            RangeKind.Choice => Values[Math.Min(Values.Count - 1, (int)(u * Values.Count))].DeepClone(),
            _ => throw new InvalidOperationException($"unknown range kind {Kind}"),
        };
    }

    /// <summary>
    /// The unit coordinate of a config value (the centre of its cell for a choice), or null when the value is not in the
    /// range (a trial recorded under another space).
    /// </summary>
    public double? ToUnit(JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }

        if (Kind == RangeKind.Choice)
        {
            for (int i = 0; i < Values.Count; i++)
            {
                if (JsonNode.DeepEquals(Values[i], value))
                {
                    return (i + 0.5) / Values.Count;
                }
            }

            return null;
        }

        if (value is not JsonValue number
            || (!number.TryGetValue(out double x) && !double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out x)))
        {
            return null;
        }

        if (x < Low - 1e-12 || x > High + 1e-12)
        {
            return null;
        }

        double u = Kind is RangeKind.LogUniform or RangeKind.LogInt
            ? (Math.Log(x) - Math.Log(Low)) / (Math.Log(High) - Math.Log(Low))
            : (x - Low) / (High - Low);
        return Math.Clamp(u, 0, 1);
    }

    /// <summary>Reads one range: <c>{"type": "log_uniform", "low": 0.001, "high": 0.1}</c> or <c>{"type": "choice", "values": [...]}</c>.</summary>
    public static ParameterRange Parse(string name, JsonNode? node, string source)
    {
        string where = $"{source}: parameter '{name}'";
        if (node is not JsonObject spec)
        {
            throw new InvalidDataException($"{where}: expected an object such as {{\"type\": \"log_uniform\", \"low\": 0.001, \"high\": 0.1}}");
        }

        foreach ((string key, _) in spec)
        {
            if (key is not ("type" or "low" or "high" or "values"))
            {
                throw new InvalidDataException($"{where}: unknown field '{key}' (known: type, low, high, values)");
            }
        }

        string type = spec["type"] is JsonValue t && t.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{where}: 'type' is missing");
        RangeKind kind = type switch
        {
            "uniform" => RangeKind.Uniform,
            "log_uniform" => RangeKind.LogUniform,
            "int" => RangeKind.Int,
            "log_int" => RangeKind.LogInt,
            "choice" => RangeKind.Choice,
            _ => throw new InvalidDataException($"{where}: unknown type '{type}' (known: uniform, log_uniform, int, log_int, choice)"),
        };

        if (kind == RangeKind.Choice)
        {
            if (spec["low"] is not null || spec["high"] is not null)
            {
                throw new InvalidDataException($"{where}: a choice takes 'values', not 'low'/'high'");
            }

            if (spec["values"] is not JsonArray { Count: > 0 } values || values.Any(v => v is null))
            {
                throw new InvalidDataException($"{where}: 'values' must be a non-empty array of values");
            }

            return new ParameterRange(name, kind, 0, 0, [.. values.Select(v => v!.DeepClone())]);
        }

        if (spec["values"] is not null)
        {
            throw new InvalidDataException($"{where}: '{type}' takes 'low' and 'high', not 'values'");
        }

        double low = Number(spec, "low", where);
        double high = Number(spec, "high", where);
        if (!(low < high))
        {
            throw new InvalidDataException($"{where}: 'low' ({low}) must be below 'high' ({high})");
        }

        if (kind is RangeKind.LogUniform or RangeKind.LogInt && low <= 0)
        {
            throw new InvalidDataException($"{where}: a logarithmic range needs 'low' > 0, got {low}");
        }

        if (kind is RangeKind.Int or RangeKind.LogInt && (low != Math.Floor(low) || high != Math.Floor(high)))
        {
            throw new InvalidDataException($"{where}: an integer range needs whole 'low' and 'high'");
        }

        return new ParameterRange(name, kind, low, high, []);
    }

    private static double Number(JsonObject spec, string field, string where) =>
        spec[field] is JsonValue v && v.TryGetValue(out double x) && double.IsFinite(x)
            ? x
            : throw new InvalidDataException($"{where}: '{field}' must be a finite number");
}
