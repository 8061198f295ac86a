namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// Ratings as parallel columns over dense indices: user index, movie index, stars 1–5, day number.
/// Immutable: the columns are read-only views and every transform returns a new table.
/// </summary>
public sealed record RatingTable(ReadOnlyMemory<int> Users, ReadOnlyMemory<short> Movies, ReadOnlyMemory<byte> Ratings, ReadOnlyMemory<short> Days)
{
    public static RatingTable Empty { get; } = new(ReadOnlyMemory<int>.Empty, ReadOnlyMemory<short>.Empty, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<short>.Empty);

    public int Count => Users.Length;

    /// <summary>The rows at the given positions, in that order.</summary>
    public RatingTable Select(ReadOnlySpan<int> rows)
    {
        var users = new int[rows.Length];
        var movies = new short[rows.Length];
        var ratings = new byte[rows.Length];
        var days = new short[rows.Length];
        ReadOnlySpan<int> u = Users.Span;
        ReadOnlySpan<short> m = Movies.Span;
        ReadOnlySpan<byte> r = Ratings.Span;
        ReadOnlySpan<short> d = Days.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            users[i] = u[row];
            movies[i] = m[row];
            ratings[i] = r[row];
            days[i] = d[row];
        }

        return new RatingTable(users, movies, ratings, days);
    }

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/>, sharing memory.</summary>
    public RatingTable Slice(int start, int length) =>
        new(Users.Slice(start, length), Movies.Slice(start, length), Ratings.Slice(start, length), Days.Slice(start, length));

    /// <summary>Rows of this table followed by the rows of <paramref name="other"/>.</summary>
    public RatingTable Concat(RatingTable other) =>
        new(Join(Users, other.Users), Join(Movies, other.Movies), Join(Ratings, other.Ratings), Join(Days, other.Days));

    private static T[] Join<T>(ReadOnlyMemory<T> first, ReadOnlyMemory<T> second)
    {
        var joined = new T[first.Length + second.Length];
        first.Span.CopyTo(joined);
        second.Span.CopyTo(joined.AsSpan(first.Length));
        return joined;
    }
}
