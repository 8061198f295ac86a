// Marks selected symbol-version requirements of an ELF shared object as weak (VER_FLG_WEAK), so that the
// dynamic loader accepts a host library that lacks those versions.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so is built with GCC 13 and therefore asks libstdc++ for the
// version GLIBCXX_3.4.32. Debian 12's libstdc++ stops at GLIBCXX_3.4.30. The only symbol bound to that version
// is std::ios_base_library_init(), which GCC 13 code references but never calls, so a weak requirement is safe.
//
// This one file is used twice, never duplicated:
//  * build/TorchSharpCompat.targets compiles it with RoslynCodeTaskFactory (netstandard2.0 reference assemblies,
//    no preprocessor symbols) into the MSBuild task PatchLibTorchSharpVersionNeeds;
//  * Directory.Build.targets links it into tests/NetflixRec.Training.Tests with TORCHSHARP_COMPAT_NO_MSBUILD_TASK
//    defined, so that the ELF logic is unit-tested without a reference to MSBuild.
// Keep it netstandard2.0-compatible (no Span, no File.Move overwrite, no records or init accessors).
#nullable enable

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
#if !TORCHSHARP_COMPAT_NO_MSBUILD_TASK
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace NetflixRec.Build.TorchSharpCompat;

/// <summary>One Vernaux entry of an ELF SHT_GNU_verneed section: "file needs version name".</summary>
internal sealed class ElfVersionNeed
{
    public ElfVersionNeed(string file, string name, ushort flags, ushort versionIndex, long flagsOffset)
    {
        File = file;
        Name = name;
        Flags = flags;
        VersionIndex = versionIndex;
        FlagsOffset = flagsOffset;
    }

    /// <summary>The needed library (vn_file), e.g. <c>libstdc++.so.6</c>.</summary>
    public string File { get; }

    /// <summary>The needed version (vna_name), e.g. <c>GLIBCXX_3.4.32</c>.</summary>
    public string Name { get; }

    /// <summary>vna_flags.</summary>
    public ushort Flags { get; }

    /// <summary>vna_other: the index used by .gnu.version.</summary>
    public ushort VersionIndex { get; }

    /// <summary>File offset of the little-endian 16-bit vna_flags field.</summary>
    public long FlagsOffset { get; }

    public bool IsWeak => (Flags & ElfVersionNeedPatcher.VerFlgWeak) != 0;
}

internal static class ElfVersionNeedPatcher
{
    /// <summary>SHT_GNU_verneed.</summary>
    public const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>VER_FLG_WEAK.</summary>
    public const ushort VerFlgWeak = 0x2;

    private const int Elf64HeaderSize = 64;
    private const int Elf64SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>
    /// Reads every Vernaux entry of every SHT_GNU_verneed section of a little-endian ELF64 image.
    /// Throws <see cref="InvalidDataException"/> when the image is not ELF64 LE, has no section headers,
    /// has no SHT_GNU_verneed section, or any offset points outside the image or its section.
    /// </summary>
    public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] image)
    {
        if (image is null)
        {
            throw new ArgumentNullException(nameof(image));
        }

        if (image.Length < Elf64HeaderSize || image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (image[4] != 2 /* ELFCLASS64 */ || image[5] != 1 /* ELFDATA2LSB */)
        {
            throw new InvalidDataException("not a little-endian ELF64 file (EI_CLASS=" + image[4] + ", EI_DATA=" + image[5] + ")");
        }

        ulong shoff = ReadU64(image, 0x28);
        ushort shentsize = ReadU16(image, 0x3A);
        ulong shnum = ReadU16(image, 0x3C);
        if (shoff == 0)
        {
            throw new InvalidDataException("the file has no section header table");
        }

        if (shentsize < Elf64SectionHeaderSize)
        {
            throw new InvalidDataException("unexpected section header size " + shentsize);
        }

        if (shnum == 0)
        {
            // Extended numbering: the real count is in sh_size of section 0.
            shnum = ReadU64(image, CheckedOffset(image, shoff, 0x20, 8));
        }

        if (shnum > (ulong)image.Length / shentsize)
        {
            throw new InvalidDataException("section header count " + shnum + " does not fit in the file");
        }

        var needs = new List<ElfVersionNeed>();
        bool foundVerneed = false;
        for (ulong i = 0; i < shnum; i++)
        {
            long header = CheckedOffset(image, shoff, i * shentsize, Elf64SectionHeaderSize);
            if (ReadU32(image, header + 0x04) != ShtGnuVerneed)
            {
                continue;
            }

            foundVerneed = true;
            ulong offset = ReadU64(image, header + 0x18);
            ulong size = ReadU64(image, header + 0x20);
            uint link = ReadU32(image, header + 0x28);
            uint count = ReadU32(image, header + 0x2C);
            if (link == 0 || link >= shnum)
            {
                throw new InvalidDataException("SHT_GNU_verneed section has an invalid sh_link " + link);
            }

            long linkHeader = CheckedOffset(image, shoff, link * (ulong)shentsize, Elf64SectionHeaderSize);
            ulong stringsOffset = ReadU64(image, linkHeader + 0x18);
            ulong stringsSize = ReadU64(image, linkHeader + 0x20);
            CheckedOffset(image, stringsOffset, 0, stringsSize);
            ReadSection(image, offset, size, count, stringsOffset, stringsSize, needs);
        }

        if (!foundVerneed)
        {
            throw new InvalidDataException("the file has no SHT_GNU_verneed (.gnu.version_r) section");
        }

        return needs;
    }

    /// <summary>Sets VER_FLG_WEAK in the vna_flags of <paramref name="need"/>, in place.</summary>
    public static void MarkWeak(byte[] image, ElfVersionNeed need)
    {
        if (image is null)
        {
            throw new ArgumentNullException(nameof(image));
        }

        if (need is null)
        {
            throw new ArgumentNullException(nameof(need));
        }

        ushort flags = ReadU16(image, need.FlagsOffset);
        WriteU16(image, need.FlagsOffset, (ushort)(flags | VerFlgWeak));
    }

    /// <summary>
    /// The entries among <paramref name="needs"/> that ask libstdc++ for one of <paramref name="versionNames"/>
    /// that the host lacks (per <paramref name="hostHasVersion"/>) and that are not weak yet.
    /// </summary>
    public static IReadOnlyList<ElfVersionNeed> SelectToWeaken(
        IEnumerable<ElfVersionNeed> needs, ICollection<string> versionNames, Func<string, bool> hostHasVersion)
    {
        return needs
            .Where(n => IsLibStdCxx(n.File) && versionNames.Contains(n.Name) && !n.IsWeak && !hostHasVersion(n.Name))
            .ToList();
    }

    public static bool IsLibStdCxx(string soname) =>
        soname.StartsWith("libstdc++.so", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="library"/> (an image of libstdc++) defines <paramref name="versionName"/>.</summary>
    public static bool DefinesVersion(byte[] library, string versionName)
    {
        // Version names live NUL-terminated in .dynstr; look for the name between NULs so that
        // GLIBCXX_3.4.3 does not match inside GLIBCXX_3.4.32.
        byte[] needle = Encoding.ASCII.GetBytes("\0" + versionName + "\0");
        return IndexOf(library, needle) >= 0;
    }

    /// <summary>
    /// Finds the libstdc++.so.6 that the dynamic loader of this (Linux) host would use: the usual multiarch and
    /// lib64 locations for the process architecture first, then the <c>ldconfig -p</c> cache. Null if none.
    /// </summary>
    public static string? FindHostLibStdCxx()
    {
        string multiarch;
        string ldconfigTag;
        switch (RuntimeInformation.ProcessArchitecture)
        {
            case Architecture.X64:
                multiarch = "x86_64-linux-gnu";
                ldconfigTag = "x86-64";
                break;
            case Architecture.Arm64:
                multiarch = "aarch64-linux-gnu";
                ldconfigTag = "AArch64";
                break;
            default:
                multiarch = "";
                ldconfigTag = "";
                break;
        }

        var candidates = new List<string>();
        if (multiarch.Length > 0)
        {
            candidates.Add("/usr/lib/" + multiarch + "/libstdc++.so.6");
            candidates.Add("/lib/" + multiarch + "/libstdc++.so.6");
        }

        candidates.Add("/usr/lib64/libstdc++.so.6");
        candidates.Add("/lib64/libstdc++.so.6");
        candidates.Add("/usr/lib/libstdc++.so.6");
        foreach (string candidate in candidates)
        {
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }

        return FindWithLdconfig(ldconfigTag);
    }

    /// <summary>Parses lines like "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".</summary>
    internal static string? ParseLdconfigCache(string ldconfigOutput, string architectureTag)
    {
        string? fallback = null;
        foreach (string rawLine in ldconfigOutput.Split('\n'))
        {
            string line = rawLine.Trim();
            if (!line.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal))
            {
                continue;
            }

            int arrow = line.IndexOf("=>", StringComparison.Ordinal);
            if (arrow < 0)
            {
                continue;
            }

            string path = line.Substring(arrow + 2).Trim();
            string tags = line.Substring(0, arrow);
            if (architectureTag.Length > 0 && tags.IndexOf(architectureTag, StringComparison.Ordinal) >= 0)
            {
                return path;
            }

            fallback ??= path;
        }

        return fallback;
    }

    private static string? FindWithLdconfig(string architectureTag)
    {
        foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig" })
        {
            if (!System.IO.File.Exists(ldconfig))
            {
                continue;
            }

            try
            {
                var startInfo = new ProcessStartInfo(ldconfig, "-p")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                    CreateNoWindow = true,
                };
                using Process? process = Process.Start(startInfo);
                if (process is null)
                {
                    continue;
                }

                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                string? path = ParseLdconfigCache(output, architectureTag);
                if (path is not null && System.IO.File.Exists(path))
                {
                    return path;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not executable here; try the next one.
            }
            catch (IOException)
            {
                // Could not read its output; try the next one.
            }
        }

        return null;
    }

    /// <summary>
    /// Writes a copy of <paramref name="path"/> with <paramref name="toWeaken"/> marked weak next to it and renames
    /// it over <paramref name="path"/>: the rename replaces the directory entry, so a hard or symbolic link to the
    /// NuGet cache is never written through. File.Copy keeps the permission bits; the modification time is kept
    /// too, so that MSBuild's SkipUnchangedFiles copy does not re-copy the unpatched original on the next build.
    /// </summary>
    public static void PatchFileAtomically(string path, IReadOnlyList<ElfVersionNeed> toWeaken)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            DateTime lastWriteUtc = System.IO.File.GetLastWriteTimeUtc(path);
            System.IO.File.Copy(path, temp, overwrite: false);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                var buffer = new byte[2];
                foreach (ElfVersionNeed need in toWeaken)
                {
                    stream.Position = need.FlagsOffset;
                    if (stream.Read(buffer, 0, 2) != 2 || ReadU16(buffer, 0) != need.Flags)
                    {
                        throw new IOException(path + " changed while it was being patched");
                    }

                    WriteU16(buffer, 0, (ushort)(need.Flags | VerFlgWeak));
                    stream.Position = need.FlagsOffset;
                    stream.Write(buffer, 0, 2);
                }

                stream.Flush(flushToDisk: true);
            }

            System.IO.File.SetLastWriteTimeUtc(temp, lastWriteUtc);

            // On Unix, File.Replace without a backup is rename(2): atomic within the directory.
            System.IO.File.Replace(temp, path, destinationBackupFileName: null);
        }
        finally
        {
            if (System.IO.File.Exists(temp))
            {
                System.IO.File.Delete(temp);
            }
        }
    }

    private static void ReadSection(
        byte[] image, ulong offset, ulong size, uint count, ulong stringsOffset, ulong stringsSize, List<ElfVersionNeed> needs)
    {
        CheckedOffset(image, offset, 0, size);
        ulong position = 0;

        // sh_info holds the number of Verneed entries; walk by vn_next and stop at vn_next == 0 as well.
        for (uint i = 0; count == 0 || i < count; i++)
        {
            long verneed = CheckedOffset(image, offset, position, VerneedSize);
            if (position + VerneedSize > size)
            {
                throw new InvalidDataException("Verneed entry outside its section");
            }

            ushort auxCount = ReadU16(image, verneed + 2);
            string file = ReadString(image, stringsOffset, stringsSize, ReadU32(image, verneed + 4));
            uint aux = ReadU32(image, verneed + 8);
            uint next = ReadU32(image, verneed + 12);

            ulong auxPosition = position + aux;
            for (int j = 0; j < auxCount; j++)
            {
                if (auxPosition + VernauxSize > size)
                {
                    throw new InvalidDataException("Vernaux entry outside its section");
                }

                long vernaux = CheckedOffset(image, offset, auxPosition, VernauxSize);
                ushort flags = ReadU16(image, vernaux + 4);
                ushort other = ReadU16(image, vernaux + 6);
                string name = ReadString(image, stringsOffset, stringsSize, ReadU32(image, vernaux + 8));
                needs.Add(new ElfVersionNeed(file, name, flags, other, vernaux + 4));
                uint auxNext = ReadU32(image, vernaux + 12);
                if (auxNext == 0)
                {
                    break;
                }

                auxPosition += auxNext;
            }

            if (next == 0)
            {
                break;
            }

            position += next;
        }
    }

    private static string ReadString(byte[] image, ulong stringsOffset, ulong stringsSize, uint index)
    {
        if (index >= stringsSize)
        {
            throw new InvalidDataException("string index " + index + " outside the string table");
        }

        long start = (long)(stringsOffset + index);
        long end = (long)(stringsOffset + stringsSize);
        long cursor = start;
        while (cursor < end && image[cursor] != 0)
        {
            cursor++;
        }

        if (cursor == end)
        {
            throw new InvalidDataException("unterminated string in the string table");
        }

        return Encoding.ASCII.GetString(image, (int)start, (int)(cursor - start));
    }

    /// <summary>baseOffset + relative, checked so that <paramref name="length"/> bytes from there lie in the image.</summary>
    private static long CheckedOffset(byte[] image, ulong baseOffset, ulong relative, ulong length)
    {
        ulong imageLength = (ulong)image.Length;
        if (baseOffset > imageLength || relative > imageLength - baseOffset || length > imageLength - baseOffset - relative)
        {
            throw new InvalidDataException("offset " + baseOffset + "+" + relative + " (length " + length + ") outside the file");
        }

        return (long)(baseOffset + relative);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        if (needle.Length == 0)
        {
            return 0;
        }

        int last = haystack.Length - needle.Length;
        byte first = needle[0];
        for (int i = Array.IndexOf(haystack, first, 0); i >= 0 && i <= last; i = Array.IndexOf(haystack, first, i + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[i + k] == needle[k])
            {
                k++;
            }

            if (k == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private static ushort ReadU16(byte[] data, long offset)
    {
        CheckedOffset(data, (ulong)offset, 0, 2);
        return (ushort)(data[offset] | (data[offset + 1] << 8));
    }

    private static uint ReadU32(byte[] data, long offset)
    {
        CheckedOffset(data, (ulong)offset, 0, 4);
        return data[offset] | ((uint)data[offset + 1] << 8) | ((uint)data[offset + 2] << 16) | ((uint)data[offset + 3] << 24);
    }

    private static ulong ReadU64(byte[] data, long offset) =>
        ReadU32(data, offset) | ((ulong)ReadU32(data, offset + 4) << 32);

    private static void WriteU16(byte[] data, long offset, ushort value)
    {
        CheckedOffset(data, (ulong)offset, 0, 2);
        data[offset] = (byte)value;
        data[offset + 1] = (byte)(value >> 8);
    }
}

#if !TORCHSHARP_COMPAT_NO_MSBUILD_TASK
/// <summary>
/// MSBuild task: for each file in <see cref="Files"/>, marks the libstdc++ version requirements listed in
/// <see cref="WeakVersions"/> as weak, but only those that the host's libstdc++ lacks. Idempotent.
/// </summary>
public sealed class PatchLibTorchSharpVersionNeeds : Task
{
    private const string WarningCode = "TSCOMPAT001";

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Version names that may be made weak. Default: GLIBCXX_3.4.32.</summary>
    public string[] WeakVersions { get; set; } = new[] { "GLIBCXX_3.4.32" };

    /// <summary>Optional: the libstdc++ to compare against instead of the one found on the host.</summary>
    public string? HostLibStdCxx { get; set; }

    /// <summary>Optional: files under this folder (the NuGet package cache) are never touched.</summary>
    public string? ProtectedRoot { get; set; }

    [Output]
    public ITaskItem[] PatchedFiles { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (Files.Length == 0)
        {
            return true;
        }

        string? libStdCxx = string.IsNullOrEmpty(HostLibStdCxx) ? ElfVersionNeedPatcher.FindHostLibStdCxx() : HostLibStdCxx;
        if (libStdCxx is null || !System.IO.File.Exists(libStdCxx))
        {
            Log.LogMessage(MessageImportance.Normal,
                "TorchSharpCompat: no libstdc++.so.6 found on this host; libLibTorchSharp.so left as it is.");
            return true;
        }

        byte[] hostLibrary = System.IO.File.ReadAllBytes(libStdCxx);
        var cache = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool HostHas(string version)
        {
            if (!cache.TryGetValue(version, out bool has))
            {
                has = ElfVersionNeedPatcher.DefinesVersion(hostLibrary, version);
                cache[version] = has;
            }

            return has;
        }

        var weakVersions = new HashSet<string>(WeakVersions.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()), StringComparer.Ordinal);
        if (weakVersions.All(HostHas))
        {
            Log.LogMessage(MessageImportance.Low,
                "TorchSharpCompat: {0} defines {1}; nothing to patch.", libStdCxx, string.Join(", ", weakVersions));
            return true;
        }

        string? protectedRoot = string.IsNullOrEmpty(ProtectedRoot) ? null : Path.GetFullPath(ProtectedRoot).TrimEnd('/') + "/";
        var patched = new List<ITaskItem>();
        foreach (string path in Files.Select(f => f.GetMetadata("FullPath")).Distinct(StringComparer.Ordinal))
        {
            if (protectedRoot is not null && path.StartsWith(protectedRoot, StringComparison.Ordinal))
            {
                Log.LogMessage(MessageImportance.Normal, "TorchSharpCompat: {0} is in the NuGet cache; not touching it.", path);
                continue;
            }

            IReadOnlyList<ElfVersionNeed> needs;
            try
            {
                needs = ElfVersionNeedPatcher.ReadVersionNeeds(System.IO.File.ReadAllBytes(path));
            }
            catch (InvalidDataException ex)
            {
                Log.LogWarning(null, WarningCode, null, path, 0, 0, 0, 0,
                    "TorchSharpCompat: could not find the ELF version requirements (.gnu.version_r) of {0}: {1}. " +
                    "It was not patched and may fail to load against {2}.", path, ex.Message, libStdCxx);
                continue;
            }

            foreach (ElfVersionNeed need in needs.Where(n => ElfVersionNeedPatcher.IsLibStdCxx(n.File) && !n.IsWeak && !weakVersions.Contains(n.Name) && !HostHas(n.Name)))
            {
                Log.LogWarning(null, WarningCode, null, path, 0, 0, 0, 0,
                    "TorchSharpCompat: {0} needs {1} from {2}, which {3} lacks and which is not in the list of versions that are safe to make weak; it will probably fail to load.",
                    path, need.Name, need.File, libStdCxx);
            }

            IReadOnlyList<ElfVersionNeed> toWeaken = ElfVersionNeedPatcher.SelectToWeaken(needs, weakVersions, HostHas);
            if (toWeaken.Count == 0)
            {
                Log.LogMessage(MessageImportance.Low, "TorchSharpCompat: {0} needs no patch (already weak, or not required).", path);
                continue;
            }

            ElfVersionNeedPatcher.PatchFileAtomically(path, toWeaken);
            string names = string.Join(", ", toWeaken.Select(n => n.Name));
            Log.LogMessage(MessageImportance.High,
                "TorchSharpCompat: marked the symbol version requirement {0} of {1} as weak in {2}, because this host's {3} lacks it " +
                "(the only symbol bound to it, std::ios_base_library_init(), is never called).",
                names, toWeaken[0].File, path, libStdCxx);
            patched.Add(new TaskItem(path));
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }
}
#endif
