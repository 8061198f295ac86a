namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Parses a file of movie blocks: one <c>training_set/mv_*.txt</c> file (one block) or a <c>combined_data_*.txt</c>
/// repack (many blocks). Every rating, CustomerID and date is kept exactly, in file order.
/// </summary>
internal static class TrainingFileParser
{
    // A rating line is 16–24 bytes; over-estimating the first block's size saves re-growing.
    private const int BytesPerLineEstimate = 16;

    public static IReadOnlyList<MovieRatings> Parse(string path)
    {
        using var reader = new LineReader(path);
        var blocks = new List<MovieRatings>();
        int capacity = (int)Math.Min(reader.Length / BytesPerLineEstimate + 16, 1 << 22);
        using var customers = new GrowableColumn<int>(capacity);
        using var ratings = new GrowableColumn<byte>(capacity);
        using var days = new GrowableColumn<short>(capacity);
        int movieId = 0;
        long headerLine = 0;

        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            string? problem = NetflixFields.ParseRatingLine(line, out int customer, out byte rating, out short day);
            if (problem is null && movieId != 0)
            {
                customers.Add(customer);
                ratings.Add(rating);
                days.Add(day);
                continue;
            }

            if (line.IsEmpty)
            {
                continue;
            }

            if (!NetflixFields.IsHeader(line))
            {
                throw new NetflixFormatException(path, reader.LineNumber,
                    movieId == 0 && problem is null ? "rating before any 'MovieID:' header" : problem!);
            }

            string? headerProblem = NetflixFields.ParseHeader(line, out int nextMovie);
            if (headerProblem is not null)
            {
                throw new NetflixFormatException(path, reader.LineNumber, headerProblem);
            }

            if (movieId != 0)
            {
                blocks.Add(Close(path, headerLine, movieId, customers, ratings, days));
            }

            movieId = nextMovie;
            headerLine = reader.LineNumber;
        }

        if (movieId == 0)
        {
            throw new NetflixFormatException(path, Math.Max(reader.LineNumber, 1), "no 'MovieID:' header (empty or truncated file)");
        }

        blocks.Add(Close(path, headerLine, movieId, customers, ratings, days));
        return blocks;
    }

    private static MovieRatings Close(string path, long headerLine, int movieId, GrowableColumn<int> customers,
        GrowableColumn<byte> ratings, GrowableColumn<short> days)
    {
        if (customers.Count == 0)
        {
            throw new NetflixFormatException(path, headerLine, $"movie {movieId} has no ratings after its header (truncated file?)");
        }

        var block = new MovieRatings(movieId, customers.ToArray(), ratings.ToArray(), days.ToArray());
        customers.Clear();
        ratings.Clear();
        days.Clear();
        return block;
    }
}
