namespace NetflixRec.Training.Data;

/// <summary>
/// Writes one file whole or not at all: into a uniquely named hidden sibling, then renamed over the target (a rename is
/// atomic on one file system). Two writers at once never share a temporary name; a reader sees the old or the new file.
/// <see cref="OutputDirectory"/> does the same for directories, with the same temporary names.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    /// <summary>Runs <paramref name="write"/> on a temporary path beside <paramref name="path"/>, then moves it into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, temp =>
        {
            write(temp);
            return 0;
        });
    }

    /// <summary>As <see cref="Write(string, Action{string})"/>, returning what <paramref name="write"/> returns.</summary>
    public static T Write<T>(string path, Func<string, T> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string temp = TemporarySibling(full);
        try
        {
            T result = write(temp);
            File.Move(temp, full, overwrite: true);
            return result;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>
    /// A fresh hidden name beside <paramref name="path"/> (a file or a directory): <c>.NAME.tmp-GUID.EXT</c>. The
    /// extension is kept: some writers (chart libraries) choose the format by it.
    /// </summary>
    public static string TemporarySibling(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileNameWithoutExtension(full)}.tmp-{Guid.NewGuid():N}{Path.GetExtension(full)}");
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure (if any) is the one worth reporting; the leftover is hidden and named as temporary.
        }
    }
}
