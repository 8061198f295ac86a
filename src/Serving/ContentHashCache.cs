using System.IO.Hashing;

namespace NetflixRec.Serving;

/// <summary>
/// XxHash128 of files' contents, read again only when a file's <see cref="FileIdentity"/> changed since the last scan:
/// an idle server would otherwise read every served graph (up to gigabytes) on every poll. Where the identity cannot be
/// told the contents are read every time. Used by the registry's scan loop only (not thread-safe).
/// </summary>
internal sealed class ContentHashCache(TimeProvider fileSystemClock)
{
    /// <summary>
    /// How old a file's change time must be before its hash is kept. A write in the same timestamp granule as the scan's
    /// statx (a clock tick on kernels without fine-grained timestamps) would leave the identity as it was; a change time
    /// older than this proves any later write gets another one.
    /// </summary>
    public static readonly TimeSpan SettledAfter = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>How many times a file's contents were read (tests prove an unchanged file is not read again).</summary>
    public int ContentReads { get; private set; }

    /// <summary>The XxHash128 of <paramref name="path"/>'s contents (16 bytes).</summary>
    public byte[] HashOf(string path)
    {
        _seen.Add(path);
        DateTimeOffset looked = fileSystemClock.GetUtcNow(); // before statx: a change after it is later still
        FileIdentity? identity = FileIdentity.Of(path);
        if (identity is { } same && _entries.TryGetValue(path, out Entry? known) && known.Identity == same)
        {
            return known.Hash;
        }

        byte[] hash = Read(path);
        if (identity is { } current && looked - current.Changed >= SettledAfter)
        {
            _entries[path] = new Entry(current, hash);
        }
        else
        {
            _entries.Remove(path);
        }

        return hash;
    }

    /// <summary>Forgets the files not asked about since the last sweep (vanished files, removed directories).</summary>
    public void Sweep()
    {
        foreach (string path in _entries.Keys.Where(p => !_seen.Contains(p)).ToList())
        {
            _entries.Remove(path);
        }

        _seen.Clear();
    }

    /// <summary>How many files' hashes are kept.</summary>
    public int Count => _entries.Count;

    private byte[] Read(string path)
    {
        ContentReads++;
        var hash = new XxHash128();
        using FileStream stream = File.OpenRead(path);
        hash.Append(stream);
        return hash.GetCurrentHash();
    }

    private sealed record Entry(FileIdentity Identity, byte[] Hash);
}
