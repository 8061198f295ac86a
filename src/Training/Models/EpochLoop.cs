using System.Diagnostics;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Models;

/// <summary>What one training epoch produced: the model as it stands (it may share the trainer's live arrays) and,
/// when the trainer measured it on the way, the training RMSE (null: the loop computes it).</summary>
public readonly record struct EpochOutcome(IRatingModel Model, double? TrainRmse = null);

/// <summary>
/// The epoch loop every iterative trainer shares: run an epoch (timed, within <see cref="TrainingData.Budget"/>), measure
/// training and validation error, report the learning-curve point, keep the best epoch's weights and stop after
/// <see cref="ITrainingOptions.Patience"/> epochs without improvement.
/// </summary>
public static class EpochLoop
{
    /// <summary>Validates each epoch by <see cref="RatingError.Rmse(IRatingModel, Data.Transforms.RatingTable)"/> on <see cref="TrainingData.Validation"/>.</summary>
    /// <param name="runEpoch">Trains epoch t (from 1).</param>
    /// <param name="keep">Copies a model whose arrays the next epoch would overwrite (identity when it owns them).</param>
    public static TrainedModel Run<TConfig>(TConfig config, TrainingData data, IProgress<EpochRecord> progress,
        Func<int, EpochOutcome> runEpoch, Func<IRatingModel, IRatingModel> keep)
        where TConfig : ITrainingOptions
    {
        ArgumentNullException.ThrowIfNull(data);
        return Run(config, data, progress, runEpoch, keep, model => RatingError.Rmse(model, data.Validation));
    }

    /// <param name="runEpoch">Trains epoch t (from 1).</param>
    /// <param name="keep">Copies a model whose arrays the next epoch would overwrite (identity when it owns them).</param>
    /// <param name="validate">The validation error of an epoch's model (lower is better; NaN: no validation, keep every epoch).</param>
    public static TrainedModel Run<TConfig>(TConfig config, TrainingData data, IProgress<EpochRecord> progress,
        Func<int, EpochOutcome> runEpoch, Func<IRatingModel, IRatingModel> keep, Func<IRatingModel, double> validate)
        where TConfig : ITrainingOptions
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(runEpoch);
        ArgumentNullException.ThrowIfNull(validate);
        var stopping = new EarlyStopping<IRatingModel>(config.Patience);
        var curve = new List<EpochRecord>();
        for (int epoch = 1; epoch <= config.MaxEpochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            data.Budget.StartEpoch();
            EpochOutcome outcome = runEpoch(epoch);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double trainRmse = outcome.TrainRmse ?? RatingError.Rmse(outcome.Model, data.Train);
            var record = new EpochRecord(epoch, trainRmse, validate(outcome.Model), seconds);
            curve.Add(record);
            progress.Report(record);
            if (stopping.Observe(epoch, record.ValidationRmse, () => keep(outcome.Model)))
            {
                break;
            }
        }

        if (stopping.Best is null)
        {
            throw new ArgumentException("max_epochs must be at least 1", nameof(config));
        }

        return new TrainedModel(stopping.Best, curve, stopping.BestEpoch, ModelConfig.ToJson(config));
    }
}
