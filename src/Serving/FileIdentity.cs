using System.Runtime.InteropServices;

namespace NetflixRec.Serving;

/// <summary>
/// What Linux <c>statx</c> says identifies a file's current contents: device, inode, size, modification and change time
/// (ns). The change time cannot be set from user space and moves on every write, rename into place, chmod or utime, so
/// a replacement that restores size and modification time (<c>cp -p</c>, <c>touch -r</c>, <c>rsync -t</c>) still gets
/// another identity.
/// </summary>
internal readonly partial record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode, ulong Size, long ModifiedNs, long ChangedNs)
{
    private const int AtFdCwd = -100;
    // Follows symbolic links: the contents hashed are the target's (File.OpenRead follows them too), so the identity
    // must be the target's; a retargeted link resolves to another inode.
    private const int FollowLinks = 0;
    private const uint StatxBasicStats = 0x7ff;
    private const uint Needed = 0x200 /* STATX_SIZE */ | 0x100 /* STATX_INO */ | 0x40 /* STATX_MTIME */ | 0x80 /* STATX_CTIME */;

    /// <summary>The identity of <paramref name="path"/>; null where it cannot be told: not Linux, no statx (ENOSYS, or
    /// EPERM from a sandbox), a file system that does not report every field, or the file is gone. Null means "hash the
    /// contents", never "unchanged".</summary>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = default(StatxBuffer);
        try
        {
            // Any failure (ENOSYS, EPERM, a vanished file, whose read then fails and makes the scan say so) means "hash it".
            if (Statx(AtFdCwd, path, FollowLinks, StatxBasicStats, ref buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // a libc without statx (glibc < 2.28)
        }

        if ((buffer.Mask & Needed) != Needed)
        {
            return null;
        }

        return new FileIdentity(buffer.DeviceMajor, buffer.DeviceMinor, buffer.Inode, buffer.Size,
            Nanoseconds(buffer.ModifiedSeconds, buffer.ModifiedNanoseconds), Nanoseconds(buffer.ChangedSeconds, buffer.ChangedNanoseconds));
    }

    /// <summary>The change time as a UTC instant (to tell whether it is too recent to trust).</summary>
    public DateTimeOffset Changed => DateTimeOffset.UnixEpoch.AddTicks(ChangedNs / 100);

    private static long Nanoseconds(long seconds, uint nanoseconds) => (seconds * 1_000_000_000L) + nanoseconds;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref StatxBuffer buffer);

    /// <summary>struct statx from linux/stat.h (256 bytes); only the fields read here are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long ChangedSeconds;
        [FieldOffset(104)] public uint ChangedNanoseconds;
        [FieldOffset(112)] public long ModifiedSeconds;
        [FieldOffset(120)] public uint ModifiedNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }
}
