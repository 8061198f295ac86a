namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// A problem with the input files that the user can fix: it names the file and the 1-based line
/// (0 when the problem concerns the whole file or directory). The CLI prints <see cref="Exception.Message"/> and exits with code 2.
/// </summary>
public sealed class NetflixFormatException : Exception
{
    public NetflixFormatException(string path, long line, string problem)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}")
    {
        Path = path;
        Line = line;
        Problem = problem;
    }

    public NetflixFormatException()
    {
        Path = string.Empty;
        Problem = string.Empty;
    }

    public NetflixFormatException(string message)
        : base(message)
    {
        Path = string.Empty;
        Problem = message;
    }

    public NetflixFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Problem = message;
    }

    public string Path { get; }

    public long Line { get; }

    public string Problem { get; }
}
