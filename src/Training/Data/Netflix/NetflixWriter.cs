using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Writes the exact Netflix Prize layout: ASCII with LF line endings (titles in ISO-8859-1). Every function writes a
/// temporary file next to the target and renames it, so a failure never leaves a partial file; each returns the
/// number of bytes written. Lines are formatted straight into a pooled byte buffer: the full set is about 2 GB.
/// </summary>
public static class NetflixWriter
{
    /// <summary><c>mv_0000001.txt</c> for movie 1: seven digits, zero-padded.</summary>
    public static string MovieFileName(int movieId) => string.Create(CultureInfo.InvariantCulture, $"mv_{movieId:D7}.txt");

    /// <summary>Writes <c>trainingSetDirectory/mv_NNNNNNN.txt</c>: <c>MovieID:</c>, then <c>CustomerID,Rating,YYYY-MM-DD</c> lines.</summary>
    public static long WriteMovieFile(string trainingSetDirectory, MovieRatings ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        CheckRatings(ratings);
        string path = Path.Combine(trainingSetDirectory, MovieFileName(ratings.MovieId));
        return WriteAtomically(path, lines => WriteRatingBlock(lines, ratings));
    }

    /// <summary>Writes the Kaggle repack layout (<c>combined_data_N.txt</c>): several rating blocks in one file.</summary>
    public static long WriteCombined(string path, IEnumerable<MovieRatings> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return WriteAtomically(path, lines =>
        {
            foreach (MovieRatings block in blocks)
            {
                CheckRatings(block);
                WriteRatingBlock(lines, block);
            }
        });
    }

    /// <summary>Writes <c>MovieID,YearOfRelease,Title</c> lines in ISO-8859-1; a missing year is written <c>NULL</c>.</summary>
    public static long WriteTitles(string path, IEnumerable<MovieTitle> titles)
    {
        ArgumentNullException.ThrowIfNull(titles);
        return WriteAtomically(path, lines =>
        {
            foreach (MovieTitle title in titles)
            {
                CheckTitle(title);
                lines.WriteInt(title.MovieId);
                lines.WriteByte((byte)',');
                if (title.Year is int year)
                {
                    lines.WriteInt(year);
                }
                else
                {
                    lines.WriteAscii("NULL"u8);
                }

                lines.WriteByte((byte)',');
                lines.WriteLatin1(title.Title);
                lines.WriteByte((byte)'\n');
            }
        });
    }

    /// <summary>Writes probe.txt: <c>MovieID:</c> blocks of <c>CustomerID</c> lines (the blocks' days are ignored).</summary>
    public static long WriteProbe(string path, IEnumerable<MovieQueries> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return WriteAtomically(path, lines =>
        {
            foreach (MovieQueries block in blocks)
            {
                lines.WriteHeader(block.MovieId);
                foreach (int customer in block.Customers.Span)
                {
                    CheckCustomer(block.MovieId, customer);
                    lines.WriteInt(customer);
                    lines.WriteByte((byte)'\n');
                }
            }
        });
    }

    /// <summary>Writes qualifying.txt: <c>MovieID:</c> blocks of <c>CustomerID,YYYY-MM-DD</c> lines.</summary>
    public static long WriteQualifying(string path, IEnumerable<MovieQueries> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return WriteAtomically(path, lines =>
        {
            foreach (MovieQueries block in blocks)
            {
                if (block.Days.Length != block.Customers.Length)
                {
                    throw new ArgumentException(
                        $"qualifying block of movie {block.MovieId} has {block.Customers.Length} customers but {block.Days.Length} days", nameof(blocks));
                }

                lines.WriteHeader(block.MovieId);
                ReadOnlySpan<int> customers = block.Customers.Span;
                ReadOnlySpan<short> days = block.Days.Span;
                for (int k = 0; k < customers.Length; k++)
                {
                    CheckCustomer(block.MovieId, customers[k]);
                    lines.WriteInt(customers[k]);
                    lines.WriteByte((byte)',');
                    lines.WriteDate(block.MovieId, days[k]);
                    lines.WriteByte((byte)'\n');
                }
            }
        });
    }

    /// <summary>Writes probe_oracle.txt: <c>MovieID:</c> blocks of <c>CustomerID,Expected</c> lines, floats in round-trip form.</summary>
    public static long WriteOracle(string path, IEnumerable<MovieOracle> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return WriteAtomically(path, lines =>
        {
            foreach (MovieOracle block in blocks)
            {
                if (block.Expected.Length != block.Customers.Length)
                {
                    throw new ArgumentException(
                        $"oracle block of movie {block.MovieId} has {block.Customers.Length} customers but {block.Expected.Length} values", nameof(blocks));
                }

                lines.WriteHeader(block.MovieId);
                ReadOnlySpan<int> customers = block.Customers.Span;
                ReadOnlySpan<float> expected = block.Expected.Span;
                for (int k = 0; k < customers.Length; k++)
                {
                    CheckCustomer(block.MovieId, customers[k]);
                    lines.WriteInt(customers[k]);
                    lines.WriteByte((byte)',');
                    lines.WriteFloat(block.MovieId, expected[k]);
                    lines.WriteByte((byte)'\n');
                }
            }
        });
    }

    private static void WriteRatingBlock(LineBuffer lines, MovieRatings ratings)
    {
        lines.WriteHeader(ratings.MovieId);
        ReadOnlySpan<int> customers = ratings.Customers.Span;
        ReadOnlySpan<byte> stars = ratings.Ratings.Span;
        ReadOnlySpan<short> days = ratings.Days.Span;
        for (int k = 0; k < customers.Length; k++)
        {
            lines.WriteInt(customers[k]);
            lines.WriteByte((byte)',');
            lines.WriteByte((byte)('0' + stars[k]));
            lines.WriteByte((byte)',');
            lines.WriteDate(ratings.MovieId, days[k]);
            lines.WriteByte((byte)'\n');
        }
    }

    private static void CheckRatings(MovieRatings ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Ratings.Length != ratings.Customers.Length || ratings.Days.Length != ratings.Customers.Length)
        {
            throw new ArgumentException(
                $"rating block of movie {ratings.MovieId} has {ratings.Customers.Length} customers, {ratings.Ratings.Length} ratings and {ratings.Days.Length} days",
                nameof(ratings));
        }

        CheckMovie(ratings.MovieId);
        ReadOnlySpan<int> customers = ratings.Customers.Span;
        ReadOnlySpan<byte> stars = ratings.Ratings.Span;
        for (int k = 0; k < customers.Length; k++)
        {
            CheckCustomer(ratings.MovieId, customers[k]);
            if (stars[k] is < 1 or > 5)
            {
                throw new ArgumentException($"movie {ratings.MovieId}, customer {customers[k]}: rating {stars[k]} is not 1–5", nameof(ratings));
            }
        }
    }

    private static void CheckTitle(MovieTitle title)
    {
        ArgumentNullException.ThrowIfNull(title);
        CheckMovie(title.MovieId);
        foreach (char c in title.Title)
        {
            if (c > '\u00FF' || c is '\n' or '\r')
            {
                throw new ArgumentException(
                    $"title of movie {title.MovieId} has the character U+{(int)c:X4}, which movie_titles.txt (ISO-8859-1, one title a line) cannot hold",
                    nameof(title));
            }
        }
    }

    private static void CheckMovie(int movieId)
    {
        if (movieId < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(movieId), movieId, "MovieIDs start at 1");
        }
    }

    private static void CheckCustomer(int movieId, int customer)
    {
        if (customer < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(customer), customer, $"movie {movieId}: CustomerIDs start at 1");
        }
    }

    private static long WriteAtomically(string path, Action<LineBuffer> write) =>
        AtomicFile.Write(path, temp =>
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
            using var stream = new FileStream(temp, options);
            using var lines = new LineBuffer(stream);
            write(lines);
            lines.Flush();
            return lines.Written;
        });

    /// <summary>A pooled byte buffer in front of a stream; formats numbers and dates without intermediate strings.</summary>
    private sealed class LineBuffer : IDisposable
    {
        private const int Capacity = 1 << 16;

        // Longest single item: a float or an int (11 bytes) or a date (10 bytes), well under this.
        private const int MaxItem = 64;
        private const int DateLength = 10;

        // "YYYY-MM-DD" for every day number 0..short.MaxValue, built once.
        private static readonly byte[] DateText = BuildDateText();

        private readonly Stream _stream;
        private byte[] _buffer;
        private int _used;

        public LineBuffer(Stream stream)
        {
            _stream = stream;
            _buffer = ArrayPool<byte>.Shared.Rent(Capacity);
        }

        public long Written { get; private set; }

        public void WriteHeader(int movieId)
        {
            CheckMovie(movieId);
            WriteInt(movieId);
            WriteAscii(":\n"u8);
        }

        public void WriteByte(byte value)
        {
            if (_used == _buffer.Length)
            {
                Flush();
            }

            _buffer[_used++] = value;
        }

        public void WriteAscii(ReadOnlySpan<byte> text)
        {
            if (_used + text.Length > _buffer.Length)
            {
                Flush();
            }

            if (text.Length > _buffer.Length)
            {
                _stream.Write(text);
                Written += text.Length;
                return;
            }

            text.CopyTo(_buffer.AsSpan(_used));
            _used += text.Length;
        }

        public void WriteLatin1(string text)
        {
            int length = Encoding.Latin1.GetByteCount(text);
            if (_used + length > _buffer.Length)
            {
                Flush();
            }

            if (length > _buffer.Length)
            {
                _stream.Write(Encoding.Latin1.GetBytes(text));
                Written += length;
                return;
            }

            _used += Encoding.Latin1.GetBytes(text, _buffer.AsSpan(_used));
        }

        public void WriteInt(int value)
        {
            Reserve();
            Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out int written);
            _used += written;
        }

        public void WriteDate(int movieId, short day)
        {
            if (day < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(day), day, $"movie {movieId}: day numbers before 1970-01-01 cannot be written");
            }

            Reserve();
            DateText.AsSpan(day * DateLength, DateLength).CopyTo(_buffer.AsSpan(_used));
            _used += DateLength;
        }

        public void WriteFloat(int movieId, float value)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"movie {movieId}: oracle values must be finite");
            }

            Reserve();

            // The default format of float is the shortest text that reads back to the same float.
            value.TryFormat(_buffer.AsSpan(_used), out int written, default, CultureInfo.InvariantCulture);
            _used += written;
        }

        public void Flush()
        {
            if (_used > 0)
            {
                _stream.Write(_buffer, 0, _used);
                Written += _used;
                _used = 0;
            }
        }

        public void Dispose()
        {
            byte[] buffer = _buffer;
            _buffer = [];
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void Reserve()
        {
            if (_used + MaxItem > _buffer.Length)
            {
                Flush();
            }
        }

        private static byte[] BuildDateText()
        {
            byte[] text = new byte[(short.MaxValue + 1) * DateLength];
            for (int day = 0; day <= short.MaxValue; day++)
            {
                DateOnly date = DayNumber.ToDate((short)day);
                Span<byte> target = text.AsSpan(day * DateLength, DateLength);
                Digits(target[..4], date.Year);
                target[4] = (byte)'-';
                Digits(target.Slice(5, 2), date.Month);
                target[7] = (byte)'-';
                Digits(target.Slice(8, 2), date.Day);
            }

            return text;
        }

        private static void Digits(Span<byte> target, int value)
        {
            for (int k = target.Length - 1; k >= 0; k--)
            {
                target[k] = (byte)('0' + (value % 10));
                value /= 10;
            }
        }
    }
}
