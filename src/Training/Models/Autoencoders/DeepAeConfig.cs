namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>Hyperparameters of <c>deep-ae</c> (defaults in defaults.json).</summary>
/// <param name="Encoder">Encoder widths; the last is the code, the decoder mirrors the others ([512, 512, 1024] →
/// 512, 512, 1024, 512, 512, then the output layer).</param>
/// <param name="CodeDropout">Dropout on the code (NVIDIA used 0.8 on Netflix).</param>
/// <param name="InputDropout">Denoising when &gt; 0: the fraction of observed input ratings dropped per batch.</param>
/// <param name="DenseRefeeding">NVIDIA's dense re-feeding: a second step per batch on the dense reconstruction.</param>
public sealed record DeepAeConfig(
    IReadOnlyList<int> Encoder,
    double CodeDropout,
    double InputDropout,
    bool DenseRefeeding,
    double LearningRate,
    double Regularization,
    int BatchSize,
    int BatchRatings,
    string Device) : EarlyStoppingOptions;
