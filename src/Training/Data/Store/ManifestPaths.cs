namespace NetflixRec.Training.Data.Store;

/// <summary>
/// The files a dataset manifest lists must lie inside the dataset directory: a manifest is data (it may come from
/// elsewhere), and a path such as <c>../../etc/passwd</c> or <c>/etc/passwd</c> would otherwise make a reader, or the
/// Flight endpoint that serves the dataset, open any file the process can read.
/// </summary>
internal static class ManifestPaths
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the manifest and the field when a listed path is empty,
    /// rooted, has a <c>..</c> segment or a NUL, or resolves outside <paramref name="directory"/>.</summary>
    public static void Confine(DatasetManifest manifest, string directory, string manifestPath)
    {
        if (manifest.Partitions is null)
        {
            throw new InvalidDataException($"{manifestPath}: 'partitions' is missing");
        }

        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        for (int p = 0; p < manifest.Partitions.Count; p++)
        {
            PartitionInfo? partition = manifest.Partitions[p];
            if (partition?.Files is null)
            {
                throw new InvalidDataException($"{manifestPath}: partitions[{p}].files is missing");
            }

            for (int f = 0; f < partition.Files.Count; f++)
            {
                string? path = partition.Files[f]?.Path;
                if (!IsInside(root, path))
                {
                    throw new InvalidDataException(
                        $"{manifestPath}: partitions[{p}].files[{f}].path '{path}' is not a relative path inside the dataset directory");
                }
            }
        }
    }

    private static bool IsInside(string root, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(path)
            || path.Split('/', '\\').Any(segment => segment == ".."))
        {
            return false;
        }

        return Path.GetFullPath(Path.Combine(root, path)).StartsWith(root, StringComparison.Ordinal);
    }
}
