using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Reads a file as lines of bytes over one pooled buffer: no per-line allocation, CR before LF dropped,
/// 1-based line numbers kept for error messages. Whole small files are read in one call.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private const int MaxChunk = 4 << 20;
    private const int MaxLineLength = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private byte[] _buffer;
    private long _fileOffset;
    private int _start;
    private int _end;
    private bool _endOfFile;

    public LineReader(string path)
    {
        Path = path;
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            _length = RandomAccess.GetLength(_handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetflixFormatException(path, 0, $"cannot read the file: {e.Message}");
        }

        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(_length + 1, 4096, MaxChunk));
    }

    public string Path { get; }

    /// <summary>Size of the file in bytes.</summary>
    public long Length => _length;

    /// <summary>The 1-based number of the line most recently returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>True when the last line returned had no line terminator (the file does not end with a newline).</summary>
    public bool LastLineUnterminated { get; private set; }

    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(pending[..newline]);
                _start += newline + 1;
                LineNumber++;
                return true;
            }

            if (_endOfFile)
            {
                if (pending.IsEmpty)
                {
                    line = default;
                    return false;
                }

                line = TrimCarriageReturn(pending);
                _start = _end;
                LineNumber++;
                LastLineUnterminated = true;
                return true;
            }

            Refill();
        }
    }

    /// <summary>
    /// The complete lines now buffered, as one span ending just after a newline (or at the end of the file), for parsers
    /// that scan lines themselves. <see cref="LineNumber"/> is the number of the line before the chunk; a caller that
    /// consumes the chunk advances it with <see cref="AdvanceLines"/>.
    /// </summary>
    public bool TryReadChunk(out ReadOnlySpan<byte> chunk)
    {
        while (true)
        {
            ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
            int lastNewline = pending.LastIndexOf((byte)'\n');
            if (lastNewline >= 0 && (!_endOfFile || lastNewline == pending.Length - 1))
            {
                chunk = pending[..(lastNewline + 1)];
                _start += lastNewline + 1;
                return true;
            }

            if (_endOfFile)
            {
                chunk = pending;
                _start = _end;
                LastLineUnterminated = !pending.IsEmpty;
                return !pending.IsEmpty;
            }

            Refill();
        }
    }

    /// <summary>Counts lines consumed from a chunk.</summary>
    public void AdvanceLines(long lines) => LineNumber += lines;

    public void Dispose()
    {
        _handle.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Refill()
    {
        int pending = _end - _start;
        if (pending > 0 && _start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        }

        _start = 0;
        _end = pending;
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineLength)
            {
                throw new NetflixFormatException(Path, LineNumber + 1, $"line longer than {MaxLineLength} bytes (is this a Netflix Prize file?)");
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        int read;
        try
        {
            read = RandomAccess.Read(_handle, _buffer.AsSpan(_end), _fileOffset);
        }
        catch (IOException e)
        {
            throw new NetflixFormatException(Path, LineNumber + 1, $"cannot read the file: {e.Message}");
        }

        _fileOffset += read;
        _end += read;
        _endOfFile = read == 0 || _fileOffset >= _length;
    }
}
