namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>Hyperparameters of <c>mult-vae</c> (defaults in defaults.json; the paper's architecture 600 → 200).</summary>
/// <param name="InputDropout">Dropout on the normalized input (0.5 in the paper).</param>
/// <param name="AnnealCap">The KL weight β grows linearly to this cap over <paramref name="AnnealSteps"/> updates.</param>
/// <param name="PositiveThreshold">Binarization: a rating of at least this many stars is a positive (4, as in the paper).</param>
/// <param name="CalibrationUsers">Users sampled (seeded) to fit the score → rating calibration after each epoch.</param>
/// <remarks>Mult-VAE is a ranking model: there is no early stopping on RMSE; it trains <see cref="TrainingOptions.MaxEpochs"/>
/// epochs and keeps the last. The validation slice is held out of its input and only reported on.</remarks>
public sealed record MultVaeConfig(
    int Hidden,
    int Latent,
    double InputDropout,
    double AnnealCap,
    int AnnealSteps,
    int PositiveThreshold,
    double LearningRate,
    int BatchSize,
    int CalibrationUsers,
    string Device) : TrainingOptions;
