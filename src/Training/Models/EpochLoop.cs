using System.Diagnostics;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Models;

/// <summary>What one training epoch produced: the model as it stands (it may share the trainer's live arrays) and,
/// when the trainer measured it on the way, the training RMSE (null: the loop computes it).</summary>
public readonly record struct EpochOutcome(IRatingModel Model, double? TrainRmse = null);

/// <summary>
/// The one epoch loop every iterative trainer runs: run an epoch (timed, within <see cref="TrainingData.Budget"/>), measure
/// training and validation error, report the learning-curve point, and either keep the best epoch's weights and stop
/// after <see cref="EarlyStoppingOptions.Patience"/> epochs without improvement, or (<see cref="RunAll"/>) run every
/// epoch and keep the last.
/// </summary>
public static class EpochLoop
{
    /// <summary>Validates each epoch by <see cref="RatingError.Rmse(IRatingModel, Data.Transforms.RatingTable)"/> on <see cref="TrainingData.Validation"/>.</summary>
    /// <param name="runEpoch">Trains epoch t (from 1).</param>
    /// <param name="keep">Copies a model whose arrays the next epoch would overwrite (identity when it owns them).</param>
    /// <param name="patience">Epochs without improvement before stopping, when the trainer derives it from the config
    /// (<see cref="StepPatience"/>); null: the config's <see cref="EarlyStoppingOptions.Patience"/>.</param>
    public static TrainedModel Run(EarlyStoppingOptions config, TrainingData data, IProgress<EpochRecord> progress,
        Func<int, EpochOutcome> runEpoch, Func<IRatingModel, IRatingModel> keep, int? patience = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Run(config, data, progress, runEpoch, keep, model => RatingError.Rmse(model, data.Validation), patience);
    }

    /// <param name="runEpoch">Trains epoch t (from 1).</param>
    /// <param name="keep">Copies a model whose arrays the next epoch would overwrite (identity when it owns them).</param>
    /// <param name="validate">The validation error of an epoch's model (lower is better; NaN: no validation, keep every epoch).</param>
    /// <param name="patience">As above: null takes the config's.</param>
    public static TrainedModel Run(EarlyStoppingOptions config, TrainingData data, IProgress<EpochRecord> progress,
        Func<int, EpochOutcome> runEpoch, Func<IRatingModel, IRatingModel> keep, Func<IRatingModel, double> validate,
        int? patience = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return ToTrainedModel(config, Loop(config.MaxEpochs, patience ?? config.Patience, data, progress, ModelSteps(data, runEpoch, keep, validate)));
    }

    /// <summary>
    /// Runs all <see cref="TrainingOptions.MaxEpochs"/> epochs and keeps the last (a ranking model, for which the
    /// validation RMSE is reported but is no criterion); validates each epoch on <see cref="TrainingData.Validation"/>.
    /// </summary>
    public static TrainedModel RunAll(TrainingOptions config, TrainingData data, IProgress<EpochRecord> progress, Func<int, EpochOutcome> runEpoch)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        return ToTrainedModel(config, Loop(config.MaxEpochs, patience: null, data, progress,
            ModelSteps(data, runEpoch, model => model, model => RatingError.Rmse(model, data.Validation))));
    }

    /// <summary>The loop over a trainer's own state (<see cref="EpochSteps{TSnapshot}"/>), keeping the best epoch.</summary>
    public static EpochRun<TSnapshot> Run<TSnapshot>(EarlyStoppingOptions config, TrainingData data, IProgress<EpochRecord> progress, EpochSteps<TSnapshot> steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Loop(config.MaxEpochs, config.Patience, data, progress, steps);
    }

    /// <param name="patience">Epochs without improvement before stopping (0: never), keeping the best; null: run every
    /// epoch and keep the last.</param>
    private static EpochRun<TSnapshot> Loop<TSnapshot>(int maxEpochs, int? patience, TrainingData data, IProgress<EpochRecord> progress,
        EpochSteps<TSnapshot> steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(steps);
        if (maxEpochs < 1)
        {
            throw new ArgumentException("max_epochs must be at least 1", nameof(maxEpochs));
        }

        EarlyStopping<TSnapshot>? stopping = patience is { } epochs ? new EarlyStopping<TSnapshot>(epochs) : null;
        var curve = new List<EpochRecord>();
        for (int epoch = 1; epoch <= maxEpochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            data.Budget.StartEpoch();
            double? measured = steps.Train(epoch);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double trainRmse = measured ?? steps.TrainRmse?.Invoke()
                ?? throw new InvalidOperationException("an epoch measured no training RMSE and the steps give no TrainRmse");
            var record = new EpochRecord(epoch, trainRmse, steps.Validate(), seconds);
            curve.Add(record);
            progress.Report(record);
            if (stopping is not null && stopping.Observe(epoch, record.ValidationRmse, steps.Keep))
            {
                break;
            }
        }

        return stopping is null
            ? new EpochRun<TSnapshot>(steps.Keep(), curve, curve.Count)
            : new EpochRun<TSnapshot>(stopping.Best!, curve, stopping.BestEpoch);
    }

    /// <summary>The steps of a trainer whose epochs hand out an <see cref="IRatingModel"/>.</summary>
    private static EpochSteps<IRatingModel> ModelSteps(TrainingData data, Func<int, EpochOutcome> runEpoch,
        Func<IRatingModel, IRatingModel> keep, Func<IRatingModel, double> validate)
    {
        ArgumentNullException.ThrowIfNull(runEpoch);
        ArgumentNullException.ThrowIfNull(keep);
        ArgumentNullException.ThrowIfNull(validate);
        EpochOutcome current = default;
        return new EpochSteps<IRatingModel>(
            epoch =>
            {
                current = runEpoch(epoch);
                return current.TrainRmse;
            },
            () => validate(current.Model),
            () => keep(current.Model),
            () => RatingError.Rmse(current.Model, data.Train));
    }

    private static TrainedModel ToTrainedModel(TrainingOptions config, EpochRun<IRatingModel> run) =>
        new(run.Kept, run.Curve, run.KeptEpoch, ModelConfig.ToJson(config));
}
