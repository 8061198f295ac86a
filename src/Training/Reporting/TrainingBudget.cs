using System.Text.Json.Nodes;

namespace NetflixRec.Training.Reporting;

/// <summary>
/// How much training a model of the study got and why it stopped: the epochs it ran of its <c>max_epochs</c>, the share
/// of each epoch's batches (<c>epoch_fraction</c>, 1 for whole epochs), the epoch it kept, and whether it stops early.
/// A model cut off by its budget while validation still improved is not converged, and the report says so.
/// </summary>
public sealed record TrainingBudget(int Epochs, int MaxEpochs, double EpochFraction, int BestEpoch, bool StopsEarly)
{
    /// <summary>Passes over the training ratings: epochs × the share of each that ran.</summary>
    public double Passes => Epochs * EpochFraction;

    /// <summary>Why training ended, in words.</summary>
    public string StoppedBy =>
        Epochs < MaxEpochs ? "early stopping"
        : !StopsEarly ? "max_epochs (keeps its last epoch)"
        : BestEpoch == Epochs ? "max_epochs, validation still improving"
        : "max_epochs";

    /// <summary>The budget of a results.json row, or null for a row without a learning curve (nothing iterated).</summary>
    public static TrainingBudget? FromJson(JsonObject row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row["learning_curve"] is not JsonArray { Count: > 0 } curve || row["config"] is not JsonObject config)
        {
            return null;
        }

        double fraction = JsonNumbers.Of(config, "epoch_fraction");
        double maxEpochs = JsonNumbers.Of(config, "max_epochs");
        double best = JsonNumbers.Of(row, "best_epoch");
        return new TrainingBudget(curve.Count, double.IsNaN(maxEpochs) ? curve.Count : (int)maxEpochs,
            double.IsNaN(fraction) ? 1 : fraction, double.IsNaN(best) ? curve.Count : (int)best, config.ContainsKey("patience"));
    }
}
