namespace NetflixRec.Training.Data;

/// <summary>
/// Writes a whole output directory or nothing: the work happens in a hidden temporary sibling that is renamed into place
/// at the end and deleted on any failure.
/// </summary>
public static class OutputDirectory
{
    // Temporary directories of the writes under way, for DeleteUnfinished.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> s_inProgress = new();

    /// <summary>An existing non-empty directory is refused, so a run never mixes its files with older ones.</summary>
    public static void EnsureAbsentOrEmpty(string directory) => EnsureAbsentOrEmpty(directory, nameof(directory));

    /// <summary>As <see cref="EnsureAbsentOrEmpty(string)"/>, naming the caller's parameter in the exception.</summary>
    public static void EnsureAbsentOrEmpty(string directory, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory, parameterName);
        if (File.Exists(directory))
        {
            throw new ArgumentException($"{directory}: is a file, expected a directory to create", parameterName);
        }

        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"{directory}: already exists and is not empty; choose another output directory or remove it", parameterName);
        }
    }

    /// <summary>
    /// Deletes the temporary directories of writes still in progress. The CLI calls it when it is interrupted
    /// (Ctrl+C, SIGTERM), so an interrupted command leaves nothing behind either.
    /// </summary>
    public static void DeleteUnfinished()
    {
        foreach (string temp in s_inProgress.Keys)
        {
            TryDelete(temp);
        }
    }

    public static T WriteAtomically<T>(string directory, Func<string, T> write) =>
        Staged(directory, write, (staging, full) =>
        {
            if (Directory.Exists(full))
            {
                Directory.Delete(full); // empty, checked by the caller
            }

            Directory.Move(staging, full);
        });

    /// <summary>
    /// Replaces a whole directory with a new one, all or nothing: <paramref name="write"/> fills a hidden staging sibling,
    /// which then takes the directory's place; the directory it replaces is deleted only after that move. A failure or an
    /// interrupt before it leaves the old directory as it was.
    /// </summary>
    public static T Replace<T>(string directory, Func<string, T> write) =>
        Staged(directory, write, (staging, full) =>
        {
            string? retired = null;
            if (Directory.Exists(full))
            {
                retired = AtomicFile.TemporarySibling(full);
                Directory.Move(full, retired);
            }

            Directory.Move(staging, full);
            if (retired is not null)
            {
                Directory.Delete(retired, recursive: true);
            }
        });

    /// <summary>
    /// The life of a staging sibling: created and registered for <see cref="DeleteUnfinished"/>, filled by
    /// <paramref name="write"/>, put in place by <paramref name="commit"/>(staging, target), deleted on any failure.
    /// </summary>
    private static T Staged<T>(string directory, Func<string, T> write, Action<string, string> commit)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(directory);
        string staging = AtomicFile.TemporarySibling(full);
        Directory.CreateDirectory(staging);
        s_inProgress[staging] = 0;
        try
        {
            T result = write(staging);
            commit(staging, full);
            return result;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
        finally
        {
            s_inProgress.TryRemove(staging, out _);
        }
    }

    /// <summary>
    /// Adds or replaces files in an existing directory, all or nothing: <paramref name="write"/> writes them into a hidden
    /// temporary subdirectory and returns their names in commit order; they are then moved into place one by one
    /// (put the file readers trust first, such as a manifest, last). A failure or an interrupt before that leaves the
    /// directory as it was.
    /// </summary>
    public static T ReplaceFiles<T>(string directory, Func<string, (IReadOnlyList<string> Files, T Result)> write)
    {
        string temp = Path.Combine(directory, $".replace.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        s_inProgress[temp] = 0;
        try
        {
            (IReadOnlyList<string> files, T result) = write(temp);
            foreach (string file in files)
            {
                File.Move(Path.Combine(temp, file), Path.Combine(directory, file), overwrite: true);
            }

            return result;
        }
        finally
        {
            TryDelete(temp);
            s_inProgress.TryRemove(temp, out _);
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
