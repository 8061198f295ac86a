namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The shape of a synthetic Netflix Prize. Start from <see cref="ForScale"/> and adjust with <c>with</c> if needed;
/// everything generated is a pure function of these values.
/// </summary>
/// <param name="Scale">The named scale the shape came from.</param>
/// <param name="Seed">Seeds every random choice: the same options give byte-identical files.</param>
/// <param name="Users">Distinct customers; each gets at least one training rating.</param>
/// <param name="Movies">Movies, numbered 1..Movies.</param>
/// <param name="TargetRatings">Ratings to draw in total (training plus qualifying), matched approximately.</param>
/// <param name="LatentRank">Rank of the low-rank part of the rating model.</param>
/// <param name="HiddenWidth">Width of the non-low-rank part (sum of ReLUs of user + movie features).</param>
/// <param name="UserActivitySpread">Log-sd of user activity weights (heavy tail of ratings per user).</param>
/// <param name="MoviePopularitySpread">Log-sd of movie popularity weights (heavy tail of ratings per movie).</param>
/// <param name="MaxMovieShare">Most ratings one movie can get, as a share of users; the most popular approach it softly.</param>
/// <param name="MaxHeldOutPerUser">Most recent ratings per user held out for probe and qualifying (<see cref="HoldOutRule.LatestPerUser"/> only).</param>
/// <param name="HeldOutShare">Share of all ratings to hold out for probe and qualifying together (the Prize: 4.2%).</param>
/// <param name="TasteSelection">How strongly taste decides what a user watches: a drawn rater keeps the movie with probability
/// σ(β·z), z the user–movie affinity in standard deviations. 0 makes the choice independent of taste (missing at random).</param>
/// <param name="HoldOutRule">Which ratings are held out: each user's latest (the Prize) or a random share of all.</param>
/// <param name="QualifyingPerProbe">Qualifying pairs per probe pair among the held-out ones (the Prize: 2; 0 leaves qualifying empty).</param>
/// <param name="MinRatingsPerUser">Fewest ratings a user ends with (MovieLens keeps users with at least 20): activity
/// weights are shifted so that light users expect about that many, and users the sampling still left below it get
/// further movies drawn by popularity and taste.</param>
/// <param name="Stars">The shares of 1–5 stars to reproduce.</param>
public sealed record GeneratorOptions(
    GeneratorScale Scale,
    int Seed,
    int Users,
    int Movies,
    long TargetRatings,
    int LatentRank,
    int HiddenWidth,
    double UserActivitySpread,
    double MoviePopularitySpread,
    double MaxMovieShare,
    int MaxHeldOutPerUser,
    double HeldOutShare,
    double TasteSelection,
    HoldOutRule HoldOutRule,
    double QualifyingPerProbe,
    int MinRatingsPerUser,
    StarDistribution Stars)
{
    /// <summary>The largest CustomerID in the Prize; synthetic customers are a random subset of 1..MaxCustomerId.</summary>
    public const int MaxCustomerId = 2_649_429;

    // (1,408,395 probe + 2,817,131 qualifying) / 100,480,507 ratings.
    private const double PrizeHeldOutShare = 0.04205;

    // Odds of watching rise about 4.5× from one sd below to one sd above average affinity: people mostly rate what
    // they chose to see, so who-rated-what carries taste, as on Netflix (what SVD++, Mult-VAE and LightGCN exploit).
    private const double DefaultTasteSelection = 1.5;

    // The Prize's qualifying set is twice its probe set.
    private const double PrizeQualifyingPerProbe = 2;

    public static GeneratorOptions ForScale(GeneratorScale scale, int seed) => scale switch
    {
        GeneratorScale.Tiny => Shape(scale, seed, 400, 150, 10_000, latentRank: 8),
        GeneratorScale.Small => Shape(scale, seed, 50_000, 3_000, 1_500_000, latentRank: 10),
        GeneratorScale.Medium => Shape(scale, seed, 200_000, 8_000, 10_000_000, latentRank: 12),
        GeneratorScale.Full => Shape(scale, seed, 480_189, 17_770, 100_480_507, latentRank: 16),
        GeneratorScale.Dense => Dense(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "unknown scale"),
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        Require(Users is >= 1 and <= MaxCustomerId, nameof(Users), $"must be between 1 and {MaxCustomerId:N0}");
        Require(Movies is >= 1 and <= 9_999_999, nameof(Movies), "must be between 1 and 9,999,999 (seven-digit file names)");
        Require(TargetRatings >= Users && TargetRatings <= int.MaxValue, nameof(TargetRatings), $"must be at least {nameof(Users)} and at most {int.MaxValue:N0}");
        Require(MaxMovieShare is > 0 and <= 0.9, nameof(MaxMovieShare), "must be in (0, 0.9]");
        Require(TargetRatings <= MaxMovieShare * Users * (double)Movies / 2, nameof(TargetRatings),
            $"is too dense for {Users:N0} users × {Movies:N0} movies: at most MaxMovieShare × Users × Movies / 2");
        Require(LatentRank is >= 1 and <= 256, nameof(LatentRank), "must be between 1 and 256");
        Require(HiddenWidth is >= 0 and <= 64, nameof(HiddenWidth), "must be between 0 and 64");
        Require(UserActivitySpread is >= 0 and <= 4, nameof(UserActivitySpread), "must be between 0 and 4");
        Require(MoviePopularitySpread is >= 0 and <= 4, nameof(MoviePopularitySpread), "must be between 0 and 4");
        Require(MaxHeldOutPerUser is >= 0 and <= 1000, nameof(MaxHeldOutPerUser), "must be between 0 and 1000");
        Require(HeldOutShare is >= 0 and <= 0.5, nameof(HeldOutShare), "must be between 0 and 0.5");
        Require(TasteSelection is >= 0 and <= 8, nameof(TasteSelection), "must be between 0 and 8");
        Require(Enum.IsDefined(HoldOutRule), nameof(HoldOutRule), "must be LatestPerUser or Random");
        Require(QualifyingPerProbe is >= 0 and <= 100, nameof(QualifyingPerProbe), "must be between 0 and 100");
        // At most a quarter of the catalogue, so a user below the floor always has plenty of unrated movies to draw from.
        Require(MinRatingsPerUser >= 1 && MinRatingsPerUser <= Math.Max(1, Movies / 4), nameof(MinRatingsPerUser),
            $"must be between 1 and a quarter of {nameof(Movies)} ({Math.Max(1, Movies / 4):N0})");
        Require(MinRatingsPerUser <= TargetRatings / Users, nameof(MinRatingsPerUser), $"must be at most {nameof(TargetRatings)} / {nameof(Users)}");
        Require(Enum.IsDefined(Stars), nameof(Stars), "must be Prize or MovieLens100K");
    }

    private static GeneratorOptions Shape(GeneratorScale scale, int seed, int users, int movies, long ratings, int latentRank) =>
        new(scale, seed, users, movies, ratings, latentRank, HiddenWidth: 4,
            UserActivitySpread: 1.1, MoviePopularitySpread: 2.3, MaxMovieShare: 0.5,
            MaxHeldOutPerUser: 9, HeldOutShare: PrizeHeldOutShare, TasteSelection: DefaultTasteSelection,
            HoldOutRule: HoldOutRule.LatestPerUser, QualifyingPerProbe: PrizeQualifyingPerProbe, MinRatingsPerUser: 1,
            Stars: StarDistribution.Prize);

    // MovieLens-100K's shape (943 users × 1,682 movies, 100,000 ratings, every user at least 20) as a Prize: a random
    // 20 % probe (its u1–u5 splits are 80/20 at random), no qualifying, MovieLens's star shares. Its movie tail is
    // lighter than the Prize's (median 27 ratings, at most 583). The movies' minimum of 3 raters and the users' floor
    // add about 6 % to what is drawn, so 94,000 drawn land near 100,000.
    private static GeneratorOptions Dense(int seed) =>
        Shape(GeneratorScale.Dense, seed, 1_000, 1_700, 94_000, latentRank: 8) with
        {
            MoviePopularitySpread = 2.0,
            HoldOutRule = HoldOutRule.Random,
            HeldOutShare = 0.2,
            QualifyingPerProbe = 0,
            MinRatingsPerUser = 20,
            Stars = StarDistribution.MovieLens100K,
        };

    private static void Require(bool condition, string field, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"generator option {field} {message}", field);
        }
    }
}
