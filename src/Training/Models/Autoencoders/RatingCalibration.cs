namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// r̂ = Intercept + Slope · s: a least-squares line from a ranking model's score s to stars, so a model trained for
/// ranking (Mult-VAE) can still answer rating predictions. Two parameters fitted on training ratings: it keeps the
/// model's ordering and claims nothing more.
/// </summary>
public readonly record struct RatingCalibration(float Intercept, float Slope)
{
    /// <summary>The least-squares fit of <paramref name="ratings"/> on <paramref name="scores"/>; a constant score gives the mean.</summary>
    public static RatingCalibration Fit(ReadOnlySpan<float> scores, ReadOnlySpan<float> ratings)
    {
        if (scores.Length != ratings.Length || scores.Length == 0)
        {
            throw new ArgumentException($"{scores.Length} scores for {ratings.Length} ratings: need aligned, non-empty series", nameof(scores));
        }

        double meanS = 0, meanR = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            meanS += scores[i];
            meanR += ratings[i];
        }

        meanS /= scores.Length;
        meanR /= scores.Length;
        double covariance = 0, variance = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            double ds = scores[i] - meanS;
            covariance += ds * (ratings[i] - meanR);
            variance += ds * ds;
        }

        double slope = variance > 0 ? covariance / variance : 0;
        return new RatingCalibration((float)(meanR - (slope * meanS)), (float)slope);
    }

    public float Apply(float score) => Intercept + (Slope * score);
}
