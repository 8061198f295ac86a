using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// Proposes the parameters of the next trial from the trials so far. A pure function of (space, history, trial number)
/// and the sampler's seed: a resumed run proposes exactly what the uninterrupted one would have.
/// </summary>
public interface ISampler
{
    string Name { get; }

    JsonObject Propose(SearchSpace space, IReadOnlyList<TrialRecord> history, int number);
}

/// <summary>Helpers the samplers share.</summary>
internal static class Sampling
{
    /// <summary>A generator for trial <paramref name="number"/>: independent of every other trial's, fixed by the seed.</summary>
    public static Random ForTrial(int seed, int number, int purpose) =>
        new(unchecked((int)(((uint)seed * 2654435761u) ^ ((uint)number * 40503u) ^ ((uint)purpose * 2246822519u))));

    /// <summary>The parameters at the given unit coordinates.</summary>
    public static JsonObject At(SearchSpace space, IReadOnlyList<double> unit)
    {
        var parameters = new JsonObject();
        for (int i = 0; i < space.Parameters.Count; i++)
        {
            parameters[space.Parameters[i].Name] = space.Parameters[i].FromUnit(unit[i]);
        }

        return parameters;
    }
}

/// <summary>Uniform random search in the unit cube of the space (log ranges uniform in their logarithm).</summary>
public sealed class RandomSampler(int seed) : ISampler
{
    public string Name => "random";

    public JsonObject Propose(SearchSpace space, IReadOnlyList<TrialRecord> history, int number)
    {
        ArgumentNullException.ThrowIfNull(space);
        Random random = Sampling.ForTrial(seed, number, 1);
        return Sampling.At(space, [.. space.Parameters.Select(_ => random.NextDouble())]);
    }
}
