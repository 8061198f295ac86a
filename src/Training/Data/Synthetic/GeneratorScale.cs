namespace NetflixRec.Training.Data.Synthetic;

/// <summary>How big a synthetic Netflix Prize to generate; see <see cref="GeneratorOptions.ForScale"/> for the shapes.</summary>
public enum GeneratorScale
{
    /// <summary>About 10,000 ratings (400 users × 150 movies): unit tests.</summary>
    Tiny,

    /// <summary>About 1.5 million ratings (50,000 users × 3,000 movies): the demo default.</summary>
    Small,

    /// <summary>About 10 million ratings (200,000 users × 8,000 movies).</summary>
    Medium,

    /// <summary>The Prize's shape: 480,189 users × 17,770 movies, about 100.48 million ratings.</summary>
    Full,

    /// <summary>The classic small dense shape (MovieLens-100K): 1,000 users × 1,700 movies, about 100,000 ratings, a random 20 % probe.</summary>
    Dense,
}
