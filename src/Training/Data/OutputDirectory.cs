namespace NetflixRec.Training.Data;

/// <summary>
/// Writes a whole output directory or nothing: the work happens in a hidden temporary sibling that is renamed into place
/// at the end and deleted on any failure.
/// </summary>
public static class OutputDirectory
{
    /// <summary>An existing non-empty directory is refused, so a run never mixes its files with older ones.</summary>
    public static void EnsureAbsentOrEmpty(string directory)
    {
        if (File.Exists(directory))
        {
            throw new ArgumentException($"{directory}: is a file, expected a directory to create", nameof(directory));
        }

        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"{directory}: already exists and is not empty; choose another --out or remove it", nameof(directory));
        }
    }

    public static T WriteAtomically<T>(string directory, Func<string, T> write)
    {
        string full = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar))}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            T result = write(temp);
            if (Directory.Exists(full))
            {
                Directory.Delete(full); // empty, checked by the caller
            }

            Directory.Move(temp, full);
            return result;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            Directory.Delete(temp, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temporary directory is hidden and named as such.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
