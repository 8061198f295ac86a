using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// One tuning run: the model, the configuration every trial starts from (defaults with the fixed settings such as threads
/// and seed), the space, and the limits — at most <paramref name="MaxTrials"/> trials and
/// <paramref name="BudgetCpuSeconds"/> CPU seconds, whichever ends first (null: no limit of that kind).
/// </summary>
public sealed record TuningPlan(
    string Model,
    JsonObject BaseConfig,
    SearchSpace Space,
    TuningObjective Objective,
    int? MaxTrials,
    double? BudgetCpuSeconds,
    int Seed,
    bool Prune)
{
    public void Validate()
    {
        if (MaxTrials is null && BudgetCpuSeconds is null)
        {
            throw new ArgumentException("give a budget: --budget-seconds S (CPU seconds) or --trials N", nameof(MaxTrials));
        }

        if (MaxTrials is < 1)
        {
            throw new ArgumentException($"--trials: {MaxTrials}: must be at least 1", nameof(MaxTrials));
        }

        if (BudgetCpuSeconds is { } budget && !(budget > 0 && double.IsFinite(budget)))
        {
            throw new ArgumentException($"--budget-seconds: {budget}: must be a positive number of CPU seconds", nameof(BudgetCpuSeconds));
        }
    }

    /// <summary>The full configuration of a trial: the base with the trial's parameters in place.</summary>
    public JsonObject ConfigOf(JsonObject parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var config = (JsonObject)BaseConfig.DeepClone();
        foreach ((string key, JsonNode? value) in parameters)
        {
            config[key] = value?.DeepClone();
        }

        return config;
    }

    /// <summary>Trial 0 evaluates the base configuration itself, so a tuned result is never worse than the default on validation.</summary>
    public JsonObject BaseParameters()
    {
        var parameters = new JsonObject();
        foreach (ParameterRange range in Space.Parameters)
        {
            parameters[range.Name] = BaseConfig[range.Name]?.DeepClone();
        }

        return parameters;
    }
}

/// <summary>What a tuning run produced: every trial in order, and the best complete one (null when none completed).</summary>
public sealed record TuningOutcome(IReadOnlyList<TrialRecord> Trials, TrialRecord? Best, double CpuSeconds)
{
    public int Pruned => Trials.Count(t => t.Status == TrialStatus.Pruned);

    /// <summary>The first trial: the base (default) configuration.</summary>
    public TrialRecord? Default => Trials.FirstOrDefault(t => t.Number == 0);

    public static TrialRecord? BestOf(IEnumerable<TrialRecord> trials) =>
        trials.Where(t => t.IsComplete).OrderBy(t => t.Loss).ThenBy(t => t.Number).FirstOrDefault();
}
