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

                if (!LinksStayInside(root, path!))
                {
                    throw new InvalidDataException(
                        $"{manifestPath}: partitions[{p}].files[{f}].path '{path}' is a symbolic link (or under one) leading outside the dataset directory");
                }
            }
        }
    }

    /// <summary>Whether the file, with every symbolic link on its way resolved, is still inside the directory (resolved
    /// the same way, so a dataset under a linked folder still counts). A file that does not exist passes: reading it
    /// fails later, naming it.</summary>
    private static bool LinksStayInside(string root, string path)
    {
        string full = Path.Combine(root, path);
        if (!File.Exists(full))
        {
            return true;
        }

        string realRoot = Path.TrimEndingDirectorySeparator(RealPath(root)) + Path.DirectorySeparatorChar;
        return RealPath(full).StartsWith(realRoot, StringComparison.Ordinal);
    }

    /// <summary>The absolute path with every symbolic link resolved, component by component (realpath(3), managed).</summary>
    private static string RealPath(string path, int depth = 0)
    {
        // A link's target may itself pass through linked folders, so it is resolved the same way, to a bounded depth.
        if (depth > 40)
        {
            throw new InvalidDataException($"{path}: too many levels of symbolic links");
        }

        string full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full) ?? "/";
        foreach (string part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            current = info.LinkTarget is null ? next
                : RealPath(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next, depth + 1);
        }

        return current;
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
