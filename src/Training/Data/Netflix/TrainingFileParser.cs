using System.Runtime.CompilerServices;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Parses a file of movie blocks: one <c>training_set/mv_*.txt</c> file (one block) or a <c>combined_data_*.txt</c>
/// repack (many blocks). Every rating, CustomerID and date is kept exactly, in file order.
/// </summary>
/// <remarks>
/// The hot path scans a whole buffered chunk of lines in one loop: a well-formed <c>CustomerID,Rating,YYYY-MM-DD</c>
/// line is parsed in place with no per-line call or bounds re-check; anything else (a header, a blank line, an error)
/// drops to the line-at-a-time path, which also words the error message.
/// </remarks>
internal static class TrainingFileParser
{
    // The shortest rating line, "1,1,2005-01-01\n", bounds how many lines a chunk can hold.
    private const int ShortestLine = 15;

    [ThreadStatic]
    private static BlockColumns? t_columns;

    public static IReadOnlyList<MovieRatings> Parse(string path)
    {
        using var reader = new LineReader(path);
        var blocks = new List<MovieRatings>();
        // Per-thread scratch columns: parsing many files on a thread reuses them instead of allocating (and collecting)
        // large arrays per file, which made parallel parsing GC-bound.
        BlockColumns columns = t_columns ??= new BlockColumns(1 << 16);
        columns.Reset(); // a previous file on this thread may have stopped at an error mid-block
        int movieId = 0;
        long headerLine = 0;

        while (reader.TryReadChunk(out ReadOnlySpan<byte> chunk))
        {
            columns.Reserve((chunk.Length / ShortestLine) + 1);
            int pos = 0;
            long lines = 0;
            while (pos < chunk.Length)
            {
                if (movieId != 0 && TryParseRatingInPlace(chunk, ref pos, columns))
                {
                    lines++;
                    continue;
                }

                int newline = chunk[pos..].IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = newline < 0 ? chunk[pos..] : chunk.Slice(pos, newline);
                line = line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
                pos = newline < 0 ? chunk.Length : pos + newline + 1;
                lines++;
                long lineNumber = reader.LineNumber + lines;
                if (line.IsEmpty)
                {
                    continue;
                }

                if (!NetflixFields.IsHeader(line))
                {
                    string? problem = NetflixFields.ParseRatingLine(line, out int customer, out byte rating, out short day);
                    if (problem is null && movieId != 0)
                    {
                        // A valid last line without a newline: the only rating line the fast path leaves.
                        columns.Append(customer, rating, day);
                        continue;
                    }

                    throw new NetflixFormatException(path, lineNumber, problem ?? "rating before any 'MovieID:' header");
                }

                string? headerProblem = NetflixFields.ParseHeader(line, out int nextMovie);
                if (headerProblem is not null)
                {
                    throw new NetflixFormatException(path, lineNumber, headerProblem);
                }

                if (movieId != 0)
                {
                    blocks.Add(columns.Close(path, headerLine, movieId));
                }

                movieId = nextMovie;
                headerLine = lineNumber;
            }

            reader.AdvanceLines(lines);
        }

        if (movieId == 0)
        {
            throw new NetflixFormatException(path, Math.Max(reader.LineNumber, 1), "no 'MovieID:' header (empty or truncated file)");
        }

        blocks.Add(columns.Close(path, headerLine, movieId));
        return blocks;
    }

    /// <summary>
    /// Parses one <c>CustomerID,Rating,YYYY-MM-DD</c> line terminated by LF or CRLF at <paramref name="pos"/> and
    /// advances past it; false (and nothing consumed) for anything else.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseRatingInPlace(ReadOnlySpan<byte> chunk, ref int pos, BlockColumns columns)
    {
        int i = pos;
        long customer = 0;
        uint digit;
        while (i < chunk.Length && (digit = (uint)(chunk[i] - '0')) <= 9)
        {
            customer = (customer * 10) + digit;
            i++;
        }

        int digits = i - pos;
        // i + 13 is the terminator after ",R,YYYY-MM-DD".
        if (digits == 0 || digits > 10 || customer == 0 || customer > int.MaxValue || i + 13 >= chunk.Length
            || chunk[i] != (byte)',' || chunk[i + 2] != (byte)',')
        {
            return false;
        }

        uint star = (uint)(chunk[i + 1] - '0');
        if (star - 1 > 4 || !NetflixFields.TryParseDate(chunk.Slice(i + 3, 10), out short day))
        {
            return false;
        }

        int end = i + 13;
        if (chunk[end] == (byte)'\n')
        {
            pos = end + 1;
        }
        else if (chunk[end] == (byte)'\r' && end + 1 < chunk.Length && chunk[end + 1] == (byte)'\n')
        {
            pos = end + 2;
        }
        else
        {
            return false;
        }

        columns.Append((int)customer, (byte)star, day);
        return true;
    }

    /// <summary>The growing columns of the block being read; capacity is reserved per chunk so appends need no check.</summary>
    private sealed class BlockColumns(int capacity)
    {
        private int[] _customers = new int[capacity];
        private byte[] _ratings = new byte[capacity];
        private short[] _days = new short[capacity];
        private readonly RepeatedCustomers _repeats = new();
        private int _count;

        public void Reset() => _count = 0;

        public void Reserve(int more)
        {
            if (_count + more <= _customers.Length)
            {
                return;
            }

            int size = Math.Max(_customers.Length * 2, _count + more);
            Array.Resize(ref _customers, size);
            Array.Resize(ref _ratings, size);
            Array.Resize(ref _days, size);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(int customer, byte rating, short day)
        {
            int at = _count++;
            _customers[at] = customer;
            _ratings[at] = rating;
            _days[at] = day;
        }

        public MovieRatings Close(string path, long headerLine, int movieId)
        {
            int count = _count;
            _count = 0;
            if (count == 0)
            {
                throw new NetflixFormatException(path, headerLine, $"movie {movieId} has no ratings after its header (truncated file?)");
            }

            // A repeated (customer, movie) pair would enter the dataset as two ratings, which the server refuses later.
            if (_repeats.Find(_customers.AsSpan(0, count)) is (int first, int second))
            {
                (long firstLine, long secondLine) = RatingLines(path, headerLine, first, second);
                throw new NetflixFormatException(path, secondLine,
                    $"customer {_customers[second]} rates movie {movieId} a second time (first on line {firstLine}); a customer rates a movie at most once");
            }

            return new MovieRatings(movieId, _customers.AsSpan(0, count).ToArray(), _ratings.AsSpan(0, count).ToArray(), _days.AsSpan(0, count).ToArray());
        }
    }

    /// <summary>
    /// The file lines of the block's ratings number <paramref name="first"/> and <paramref name="second"/> (0-based,
    /// counting the non-blank lines after the header). Only the error path reads the file again for them, so the hot
    /// path keeps no line numbers.
    /// </summary>
    private static (long First, long Second) RatingLines(string path, long headerLine, int first, int second)
    {
        using var reader = new LineReader(path);
        long firstLine = 0;
        int index = -1;
        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (reader.LineNumber <= headerLine || line.IsEmpty)
            {
                continue;
            }

            index++;
            if (index == first)
            {
                firstLine = reader.LineNumber;
            }

            if (index == second)
            {
                return (firstLine, reader.LineNumber);
            }
        }

        return (firstLine, headerLine); // not reached: the block was just parsed from this file
    }
}
