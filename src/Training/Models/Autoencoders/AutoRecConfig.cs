namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>Hyperparameters of <c>autorec-i</c> and <c>autorec-u</c> (defaults in defaults.json).</summary>
/// <param name="InputDropout">Denoising AutoRec when &gt; 0: the fraction of observed input ratings dropped per batch.</param>
/// <param name="BatchSize">Rows (movies for autorec-i, users for autorec-u) per mini-batch at most.</param>
/// <param name="BatchRatings">Observed ratings per mini-batch at most (bounds memory: entries × hidden floats).</param>
/// <param name="Device">Torch device: "cpu", or "cuda" / "cuda:N" where a CUDA build of TorchSharp is installed.</param>
public sealed record AutoRecConfig(
    int Hidden,
    double LearningRate,
    double Regularization,
    double InputDropout,
    int BatchSize,
    int BatchRatings,
    string Device) : EarlyStoppingOptions;
