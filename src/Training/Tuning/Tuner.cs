using System.Diagnostics;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// Runs trials one after another on one validation split until the plan's trial count or CPU budget is spent: trial 0
/// is the base configuration, then the sampler proposes each next one from the history. Rating models report their
/// validation RMSE after every epoch, and the pruner stops those behind their peers at the rungs; the ranking models are
/// scored by NDCG@20 on the validation slice when they finish (their per-epoch signal is an RMSE proxy, not the
/// objective, so they are not pruned). Files and the clock are the caller's: <paramref name="cpuSeconds"/> reads the
/// process's CPU time, <paramref name="onTrial"/> persists each trial as it ends.
/// </summary>
public static class Tuner
{
    public static TuningOutcome Run(TuningPlan plan, TrainingData data, ISampler sampler, IReadOnlyList<TrialRecord> resumed,
        Func<double> cpuSeconds, Action<TrialRecord> onTrial, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(cpuSeconds);
        ArgumentNullException.ThrowIfNull(onTrial);
        ArgumentNullException.ThrowIfNull(progress);
        plan.Validate();
        ModelEntry entry = ModelCatalog.Find(plan.Model);
        SuccessiveHalvingPruner? pruner = plan.Prune && plan.Objective == TuningObjective.Rmse ? new SuccessiveHalvingPruner() : null;
        Lazy<EvaluationData> rankingData = new(() => EvaluationData.Prepare(data.Train, data.Validation, default, data.Users, data.Movies));
        if (data.Validation.Count == 0)
        {
            throw new ArgumentException($"{plan.Model}: validation_fraction leaves no validation ratings to tune on", nameof(data));
        }

        var trials = new List<TrialRecord>(resumed);
        double spent = trials.Sum(t => t.CpuSeconds);
        while (trials.Count < (plan.MaxTrials ?? int.MaxValue) && spent < (plan.BudgetCpuSeconds ?? double.PositiveInfinity))
        {
            int number = trials.Count;
            JsonObject parameters = number == 0 ? plan.BaseParameters() : sampler.Propose(plan.Space, trials, number);
            TrialRecord trial = RunTrial(plan, entry, data, number, parameters, trials, spent, pruner, rankingData, cpuSeconds);
            trials.Add(trial);
            spent += trial.CpuSeconds;
            onTrial(trial);
            progress(Describe(plan, trial, trials, spent));
        }

        return new TuningOutcome(trials, TuningOutcome.BestOf(trials), spent);
    }

    private static TrialRecord RunTrial(TuningPlan plan, ModelEntry entry, TrainingData data, int number, JsonObject parameters,
        IReadOnlyList<TrialRecord> history, double spentBefore, SuccessiveHalvingPruner? pruner, Lazy<EvaluationData> rankingData, Func<double> cpuSeconds)
    {
        double cpuStart = cpuSeconds();
        long wallStart = Stopwatch.GetTimestamp();
        var curve = new List<double>();
        double budget = plan.BudgetCpuSeconds ?? double.PositiveInfinity;
        var observer = new EpochObserver(epoch =>
        {
            curve.Add(epoch.ValidationRmse);
            double bestSoFar = curve.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();

            // The default's trial always finishes: it is the reference every tuned result is compared with.
            if (number > 0 && spentBefore + (cpuSeconds() - cpuStart) >= budget)
            {
                throw new TrialStoppedException(TrialStatus.OutOfBudget, bestSoFar);
            }

            if (number > 0 && pruner is not null && pruner.ShouldPrune(epoch.Epoch, bestSoFar, history))
            {
                throw new TrialStoppedException(TrialStatus.Pruned, bestSoFar);
            }
        });

        TrialStatus status;
        double loss;
        string? error = null;
        try
        {
            // The trial's JSON (what the journal keeps) is bound to the model's config record here, at the edge.
            TrainedModel trained = entry.Train(data, entry.Bind(plan.ConfigOf(parameters), $"{plan.Model} trial {number}"), observer);
            status = TrialStatus.Complete;
            loss = plan.Objective == TuningObjective.Rmse
                ? trained.Curve.FirstOrDefault(c => c.Epoch == trained.BestEpoch)?.ValidationRmse ?? double.NaN
                : -Evaluator.Evaluate(trained.Model, rankingData.Value, RankingOptions).AtPrimaryCutoff.Ndcg;
        }
        catch (TrialStoppedException stopped)
        {
            status = stopped.Status;
            loss = stopped.BestSoFar;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            status = TrialStatus.Failed;
            loss = double.NaN;
            error = e.Message;
        }

        return new TrialRecord(number, parameters, status, loss, curve, cpuSeconds() - cpuStart, Stopwatch.GetElapsedTime(wallStart).TotalSeconds, error);
    }

    private static readonly EvaluationOptions RankingOptions = EvaluationOptions.Default with { Cutoffs = [EvaluationOptions.PrimaryCutoff] };

    private static string Describe(TuningPlan plan, TrialRecord trial, IReadOnlyList<TrialRecord> trials, double spent)
    {
        TrialRecord? best = TuningOutcome.BestOf(trials);
        string left = plan.BudgetCpuSeconds is { } budget ? $", {Math.Max(0, budget - spent):F0} CPU s left" : string.Empty;
        string value = double.IsFinite(trial.Loss) ? $"{plan.Objective.MetricOf(trial.Loss):F4}" : "–";
        string status = trial.Status switch
        {
            TrialStatus.Complete => value,
            TrialStatus.Pruned => $"pruned at epoch {trial.Curve.Count} ({value})",
            TrialStatus.OutOfBudget => $"stopped by the budget at epoch {trial.Curve.Count}",
            _ => $"failed: {trial.Error}",
        };
        string bestText = best is null ? "none yet" : $"{plan.Objective.MetricOf(best.Loss):F4} (trial {best.Number})";
        return $"tune: {plan.Model}: trial {trial.Number}: {status} in {trial.CpuSeconds:F1} CPU s; best {plan.Objective.Label()} {bestText}{left}; {trial.Parameters.ToJsonString()}";
    }

    /// <summary>Receives each epoch synchronously on the training thread, so that throwing from it stops the trainer there.</summary>
    private sealed class EpochObserver(Action<EpochRecord> observe) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => observe(value);
    }

    /// <summary>Unwinds a trainer from inside its epoch loop (its using blocks release native memory on the way).</summary>
    private sealed class TrialStoppedException(TrialStatus status, double bestSoFar) : Exception($"trial stopped: {status}")
    {
        public TrialStatus Status { get; } = status;

        public double BestSoFar { get; } = bestSoFar;
    }
}
