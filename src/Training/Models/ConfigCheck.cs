namespace NetflixRec.Training.Models;

/// <summary>
/// The one way trainers check their config before training: a broken value is an <see cref="ArgumentException"/> that
/// names the model and the JSON field (the CLI reports it as bad input, exit 2).
/// </summary>
public static class ConfigCheck
{
    /// <summary>The settings every trainer shares (<see cref="Models.TrainingOptions"/>): every trainer calls this first.</summary>
    public static void TrainingOptions(string model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Require(options.MaxEpochs >= 1, model, "max_epochs", "must be at least 1");
        Require(options.ValidationFraction is >= 0 and < 1, model, "validation_fraction", "must be in [0, 1)");
        Require(options.Threads >= 0, model, "threads", "must not be negative (0: all cores)");
        if (options is EarlyStoppingOptions stopping)
        {
            Require(stopping.Patience >= 0, model, "patience", "must not be negative");
        }
    }

    /// <summary>
    /// The shared checks of factor models: factors, non-negative regularization and a non-negative initial scale
    /// (<paramref name="initField"/>: <c>init_std</c>, or <c>init_high</c> for NMF).
    /// </summary>
    public static void Factors(string model, int factors, double regularizationFactors, double regularizationBias, double init, string initField)
    {
        Require(factors >= 1, model, "factors", "must be at least 1");
        Require(regularizationFactors >= 0, model, "regularization_factors", "must not be negative");
        Require(regularizationBias >= 0, model, "regularization_bias", "must not be negative");
        Require(init >= 0, model, initField, "must not be negative");
    }

    /// <summary>The step size of the SGD trainers: positive, and a per-epoch decay in (0, 1].</summary>
    public static void LearningRate(string model, double learningRate, double decay)
    {
        Require(learningRate > 0, model, "learning_rate", "must be positive");
        Require(decay is > 0 and <= 1, model, "learning_rate_decay", "must be in (0, 1]");
    }

    public static void Require(bool condition, string model, string field, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{model} config field '{field}' {message}", field);
        }
    }
}
