namespace NetflixRec.Training.Data.Netflix;

/// <summary>One line of movie_titles.txt: <c>MovieID,YearOfRelease,Title</c>; the year is <c>NULL</c> for a few titles.</summary>
public sealed record MovieTitle(int MovieId, int? Year, string Title);

/// <summary>
/// The ratings of one movie block (<c>MovieID:</c> followed by <c>CustomerID,Rating,Date</c> lines), as parallel columns
/// in file order. <see cref="Days"/> are <see cref="DayNumber"/>s.
/// </summary>
public sealed record MovieRatings(int MovieId, ReadOnlyMemory<int> Customers, ReadOnlyMemory<byte> Ratings, ReadOnlyMemory<short> Days)
{
    public int Count => Customers.Length;
}

/// <summary>A <c>MovieID:</c> block of probe.txt (customers only) or qualifying.txt (customers with dates; empty days for probe).</summary>
public sealed record MovieQueries(int MovieId, ReadOnlyMemory<int> Customers, ReadOnlyMemory<short> Days)
{
    public int Count => Customers.Length;
}

/// <summary>
/// A block of the generator's oracle file (probe_oracle.txt): for each probe pair of the movie, the rating the generator
/// expects before noise, so evaluation can report the irreducible error.
/// </summary>
public sealed record MovieOracle(int MovieId, ReadOnlyMemory<int> Customers, ReadOnlyMemory<float> Expected)
{
    public int Count => Customers.Length;
}
