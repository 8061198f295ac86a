namespace NetflixRec.Training.Data.Synthetic;

/// <summary>Which ratings the generator holds out for probe and qualifying (see <see cref="GeneratorOptions.HoldOutRule"/>).</summary>
public enum HoldOutRule
{
    /// <summary>The Prize's rule: each user's most recent ratings, at most <see cref="GeneratorOptions.MaxHeldOutPerUser"/>.</summary>
    LatestPerUser,

    /// <summary>A uniformly random share of all ratings, as in MovieLens-style random splits; every user and movie keeps a training rating.</summary>
    Random,
}
