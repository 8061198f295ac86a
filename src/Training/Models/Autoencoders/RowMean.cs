namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// The mean of a row's observed input ratings shrunk towards a prior, ū = (Σ r + k·prior) / (n + k), added to every
/// prediction of the row. A user-based autoencoder's decoder carries each movie's bias (output.bias) but no user's:
/// without it the code must carry the user's rating level through a squashing layer, and the model fits worse than
/// the bias baseline. ū is a function of the input vector alone, so inference (and the ONNX graph) computes it from the
/// same ratings the encoder reads.
/// </summary>
public sealed record RowMean(float Shrinkage, float Prior)
{
    /// <summary>The users' rating level used by autorec-u and deep-ae: k = 10 towards the global mean.</summary>
    public static RowMean Users(double globalMean) => new(10f, (float)globalMean);

    public float Of(ReadOnlySpan<float> ratings)
    {
        float sum = 0;
        foreach (float r in ratings)
        {
            sum += r;
        }

        return (sum + (Shrinkage * Prior)) / (ratings.Length + Shrinkage);
    }

    /// <summary>As a saved tensor: [shrinkage, prior].</summary>
    public float[] ToArray() => [Shrinkage, Prior];
}
