using Apache.Arrow;
using Apache.Arrow.Types;

namespace NetflixRec.Contracts;

/// <summary>
/// The Arrow schemas of a NetflixRec dataset. Ratings use dense indices (see the ID maps) and compact types:
/// int32 user index, int16 movie index, uint8 stars 1–5, int16 day number (days since 1970-01-01).
/// </summary>
public static class DatasetSchema
{
    public const int Version = 1;

    public const string User = "user";
    public const string Movie = "movie";
    public const string Rating = "rating";
    public const string Day = "day";
    public const string Oracle = "oracle";
    public const string CustomerId = "customer_id";
    public const string MovieId = "movie_id";
    public const string Year = "year";
    public const string Title = "title";

    private static readonly Dictionary<string, string> s_metadata = new()
    {
        ["netflixrec.schema_version"] = Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["netflixrec.day_epoch"] = "1970-01-01",
    };

    /// <summary>train and probe partitions.</summary>
    public static Schema Ratings { get; } = Build(RatingFields());

    /// <summary>The probe partition when the generator's oracle file was ingested: the expected rating before noise.</summary>
    public static Schema RatingsWithOracle { get; } = Build([.. RatingFields(), new Field(Oracle, FloatType.Default, nullable: false)]);

    /// <summary>The qualifying partition: pairs to predict, no rating.</summary>
    public static Schema Queries { get; } = Build([
        new Field(User, Int32Type.Default, nullable: false),
        new Field(Movie, Int16Type.Default, nullable: false),
        new Field(Day, Int16Type.Default, nullable: false),
    ]);

    /// <summary>users.arrow: row i holds the CustomerID of user index i (ascending).</summary>
    public static Schema Users { get; } = Build([new Field(CustomerId, Int32Type.Default, nullable: false)]);

    /// <summary>movies.arrow: row i holds the MovieID of movie index i (ascending; movies with at least one rating).</summary>
    public static Schema Movies { get; } = Build([new Field(MovieId, Int32Type.Default, nullable: false)]);

    /// <summary>titles.arrow: every line of movie_titles; the year is null where the file says NULL.</summary>
    public static Schema Titles { get; } = Build([
        new Field(MovieId, Int32Type.Default, nullable: false),
        new Field(Year, Int16Type.Default, nullable: true),
        new Field(Title, StringType.Default, nullable: false),
    ]);

    private static Field[] RatingFields() =>
    [
        new Field(User, Int32Type.Default, nullable: false),
        new Field(Movie, Int16Type.Default, nullable: false),
        new Field(Rating, UInt8Type.Default, nullable: false),
        new Field(Day, Int16Type.Default, nullable: false),
    ];

    private static Schema Build(IEnumerable<Field> fields) => new(fields, s_metadata);
}
