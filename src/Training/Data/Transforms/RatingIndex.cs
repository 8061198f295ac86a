namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// Ratings grouped by one side (users or movies) in compressed sparse rows: row r's entries are
/// <c>Offsets[r]..Offsets[r+1]</c> of <see cref="Columns"/> (the other side's index, ascending) and <see cref="Ratings"/>.
/// </summary>
public sealed record RatingIndex(ReadOnlyMemory<long> Offsets, ReadOnlyMemory<int> Columns, ReadOnlyMemory<float> Ratings)
{
    public int Rows => Offsets.Length - 1;

    public int CountOf(int row) => (int)(Offsets.Span[row + 1] - Offsets.Span[row]);

    public ReadOnlySpan<int> ColumnsOf(int row) => Columns.Span[(int)Offsets.Span[row]..(int)Offsets.Span[row + 1]];

    public ReadOnlySpan<float> RatingsOf(int row) => Ratings.Span[(int)Offsets.Span[row]..(int)Offsets.Span[row + 1]];

    public static RatingIndex ByUser(RatingTable table, int users) => Build(table.Users.Span, MoviesAsInt(table), table.Ratings.Span, users);

    public static RatingIndex ByMovie(RatingTable table, int movies) => Build(MoviesAsInt(table), table.Users.Span, table.Ratings.Span, movies);

    private static int[] MoviesAsInt(RatingTable table)
    {
        var movies = new int[table.Count];
        ReadOnlySpan<short> source = table.Movies.Span;
        for (int i = 0; i < movies.Length; i++)
        {
            movies[i] = source[i];
        }

        return movies;
    }

    private static RatingIndex Build(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, ReadOnlySpan<byte> ratings, int rowCount)
    {
        var offsets = new long[rowCount + 1];
        foreach (int r in rows)
        {
            offsets[r + 1]++;
        }

        for (int r = 0; r < rowCount; r++)
        {
            offsets[r + 1] += offsets[r];
        }

        var fill = (long[])offsets.Clone();
        var outColumns = new int[rows.Length];
        var outRatings = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            long at = fill[rows[i]]++;
            outColumns[at] = columns[i];
            outRatings[at] = ratings[i];
        }

        // Sort each row by column so lookups and merges can rely on order.
        for (int r = 0; r < rowCount; r++)
        {
            int start = (int)offsets[r], length = (int)(offsets[r + 1] - offsets[r]);
            if (length > 1)
            {
                outColumns.AsSpan(start, length).Sort(outRatings.AsSpan(start, length));
            }
        }

        return new RatingIndex(offsets, outColumns, outRatings);
    }
}
