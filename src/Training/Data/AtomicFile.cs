namespace NetflixRec.Training.Data;

/// <summary>
/// Writes one file whole or not at all: into a uniquely named hidden sibling, then renamed over the target (a rename is
/// atomic on one file system). Two writers at once never share a temporary name; a reader sees the old or the new file.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    /// <summary>Runs <paramref name="write"/> on a temporary path beside <paramref name="path"/>, then moves it into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        // The extension is kept: some writers (chart libraries) choose the format by it.
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileNameWithoutExtension(full)}.tmp-{Guid.NewGuid():N}{Path.GetExtension(full)}");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
