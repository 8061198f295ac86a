namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Parses the files made of <c>MovieID:</c> blocks of customer lines: probe.txt (<c>CustomerID</c>),
/// qualifying.txt (<c>CustomerID,YYYY-MM-DD</c>) and the generator's probe_oracle.txt (<c>CustomerID,Expected</c>).
/// </summary>
internal static class QueryFileParser
{
    public static IReadOnlyList<MovieQueries> ParseProbe(string path) =>
        ParseBlocks(path, (int movie, GrowableColumn<int> customers, GrowableColumn<short> _, GrowableColumn<float> _) =>
            new MovieQueries(movie, customers.ToArray(), ReadOnlyMemory<short>.Empty),
            static (ReadOnlySpan<byte> line, GrowableColumn<int> customers, GrowableColumn<short> _, GrowableColumn<float> _) =>
            {
                string? problem = NetflixFields.ParseCustomerLine(line, out int customer);
                customers.Add(customer);
                return problem;
            });

    public static IReadOnlyList<MovieQueries> ParseQualifying(string path) =>
        ParseBlocks(path, (int movie, GrowableColumn<int> customers, GrowableColumn<short> days, GrowableColumn<float> _) =>
            new MovieQueries(movie, customers.ToArray(), days.ToArray()),
            static (ReadOnlySpan<byte> line, GrowableColumn<int> customers, GrowableColumn<short> days, GrowableColumn<float> _) =>
            {
                string? problem = NetflixFields.ParseCustomerDateLine(line, out int customer, out short day);
                customers.Add(customer);
                days.Add(day);
                return problem;
            });

    public static IReadOnlyList<MovieOracle> ParseOracle(string path) =>
        ParseBlocks(path, (int movie, GrowableColumn<int> customers, GrowableColumn<short> _, GrowableColumn<float> values) =>
            new MovieOracle(movie, customers.ToArray(), values.ToArray()),
            static (ReadOnlySpan<byte> line, GrowableColumn<int> customers, GrowableColumn<short> _, GrowableColumn<float> values) =>
            {
                string? problem = NetflixFields.ParseCustomerValueLine(line, out int customer, out float value);
                customers.Add(customer);
                values.Add(value);
                return problem;
            });

    private delegate string? LineParser(ReadOnlySpan<byte> line, GrowableColumn<int> customers, GrowableColumn<short> days, GrowableColumn<float> values);

    private static List<T> ParseBlocks<T>(string path, Func<int, GrowableColumn<int>, GrowableColumn<short>, GrowableColumn<float>, T> close, LineParser parseLine)
    {
        using var reader = new LineReader(path);
        using var customers = new GrowableColumn<int>(1024);
        using var days = new GrowableColumn<short>(1024);
        using var values = new GrowableColumn<float>(1024);
        var blocks = new List<T>();
        var seenMovies = new HashSet<int>();
        int movieId = 0;

        void CloseBlock()
        {
            if (movieId != 0)
            {
                blocks.Add(close(movieId, customers, days, values));
                customers.Clear();
                days.Clear();
                values.Clear();
            }
        }

        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            if (NetflixFields.IsHeader(line))
            {
                string? headerProblem = NetflixFields.ParseHeader(line, out int nextMovie);
                if (headerProblem is not null)
                {
                    throw new NetflixFormatException(path, reader.LineNumber, headerProblem);
                }

                if (!seenMovies.Add(nextMovie))
                {
                    throw new NetflixFormatException(path, reader.LineNumber, $"movie {nextMovie} has a second block in this file");
                }

                CloseBlock();
                movieId = nextMovie;
                continue;
            }

            if (movieId == 0)
            {
                throw new NetflixFormatException(path, reader.LineNumber, "customer line before any 'MovieID:' header");
            }

            string? problem = parseLine(line, customers, days, values);
            if (problem is not null)
            {
                throw new NetflixFormatException(path, reader.LineNumber, problem);
            }
        }

        CloseBlock();
        return blocks;
    }

    /// <summary>The line of a (movie, customer) pair in a query file: a cold path used only to word an error message.</summary>
    public static long FindLine(string path, int movieId, int customerId)
    {
        using var reader = new LineReader(path);
        int current = 0;
        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (NetflixFields.IsHeader(line))
            {
                _ = NetflixFields.ParseHeader(line, out current);
                continue;
            }

            int comma = line.IndexOf((byte)',');
            if (current == movieId && NetflixFields.ParseCustomerLine(comma < 0 ? line : line[..comma], out int customer) is null
                && customer == customerId)
            {
                return reader.LineNumber;
            }
        }

        return 0;
    }
}
