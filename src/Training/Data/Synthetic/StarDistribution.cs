namespace NetflixRec.Training.Data.Synthetic;

/// <summary>The shares of 1–5 stars the generator's thresholds are placed to reproduce.</summary>
public enum StarDistribution
{
    /// <summary>The Netflix Prize: about 5/10/29/34/23 % of 1–5 stars, mean ≈ 3.60.</summary>
    Prize,

    /// <summary>MovieLens-100K: about 6/11/27/34/21 % of 1–5 stars, mean ≈ 3.53.</summary>
    MovieLens100K,
}
