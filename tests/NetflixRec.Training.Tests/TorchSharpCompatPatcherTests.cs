using System.Text;
using NetflixRec.Build.TorchSharpCompat;

namespace NetflixRec.Training.Tests;

/// <summary>
/// Tests of build/TorchSharpCompat/ElfVersionNeedPatcher.cs (linked into this project by Directory.Build.targets),
/// on a synthetic ELF64 image and on the libLibTorchSharp.so that the build put into this test's output folder.
/// </summary>
public sealed class TorchSharpCompatPatcherTests
{
    private const string Needed = "GLIBCXX_3.4.32";
    private static readonly string[] WeakList = [Needed];

    [Fact]
    public void ReadVersionNeeds_SyntheticLibrary_ReturnsEveryEntryWithItsFile()
    {
        byte[] image = SyntheticElf.Build();

        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(image);

        Assert.Equal(
            ["libc.so.6:GLIBC_2.34:2", "libstdc++.so.6:GLIBCXX_3.4.30:3", "libstdc++.so.6:GLIBCXX_3.4.32:4"],
            needs.Select(n => $"{n.File}:{n.Name}:{n.VersionIndex}"));
        Assert.All(needs, n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void SelectToWeaken_HostLacksVersion_SelectsOnlyTheLibStdCxxEntry()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(SyntheticElf.Build());

        var selected = ElfVersionNeedPatcher.SelectToWeaken(needs, WeakList, _ => false);

        var only = Assert.Single(selected);
        Assert.Equal(("libstdc++.so.6", Needed), (only.File, only.Name));
    }

    [Fact]
    public void SelectToWeaken_HostHasVersion_SelectsNothing()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(SyntheticElf.Build());

        Assert.Empty(ElfVersionNeedPatcher.SelectToWeaken(needs, WeakList, _ => true));
    }

    [Fact]
    public void MarkWeak_SyntheticLibrary_SetsOnlyTheWeakBitOfThatEntry()
    {
        byte[] original = SyntheticElf.Build();
        byte[] image = (byte[])original.Clone();
        var target = ElfVersionNeedPatcher.SelectToWeaken(ElfVersionNeedPatcher.ReadVersionNeeds(image), WeakList, _ => false)[0];

        ElfVersionNeedPatcher.MarkWeak(image, target);

        var after = ElfVersionNeedPatcher.ReadVersionNeeds(image);
        Assert.Equal([false, false, true], after.Select(n => n.IsWeak));
        Assert.Equal(ElfVersionNeedPatcher.VerFlgWeak, after[2].Flags);
        var changed = Enumerable.Range(0, image.Length).Where(i => image[i] != original[i]).ToArray();
        Assert.Equal([(int)target.FlagsOffset], changed);
    }

    [Fact]
    public void SelectToWeaken_AlreadyWeak_SelectsNothing()
    {
        byte[] image = SyntheticElf.Build();
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(image);
        ElfVersionNeedPatcher.MarkWeak(image, ElfVersionNeedPatcher.SelectToWeaken(needs, WeakList, _ => false)[0]);

        var again = ElfVersionNeedPatcher.SelectToWeaken(ElfVersionNeedPatcher.ReadVersionNeeds(image), WeakList, _ => false);

        Assert.Empty(again);
    }

    [Fact]
    public void ReadVersionNeeds_NoVerneedSection_ThrowsInvalidData()
    {
        byte[] image = SyntheticElf.Build(verneedType: 3 /* SHT_STRTAB */);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(image));
        Assert.Contains("SHT_GNU_verneed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 1)] // ELFCLASS32
    [InlineData(5, 2)] // ELFDATA2MSB
    [InlineData(0, 0)] // no magic
    public void ReadVersionNeeds_NotLittleEndianElf64_ThrowsInvalidData(int headerIndex, byte value)
    {
        byte[] image = SyntheticElf.Build();
        image[headerIndex] = value;

        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(image));
    }

    [Fact]
    public void ReadVersionNeeds_TruncatedImage_ThrowsInvalidData()
    {
        byte[] image = SyntheticElf.Build();

        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(image[..(image.Length - 8)]));
    }

    [Fact]
    public void ReadVersionNeeds_AuxOffsetOutsideSection_ThrowsInvalidData()
    {
        byte[] image = SyntheticElf.Build();
        BitConverter.TryWriteBytes(image.AsSpan(SyntheticElf.VerneedOffset + 8, 4), 0x10000u); // vn_aux of the first entry

        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(image));
    }

    [Theory]
    [InlineData("GLIBCXX_3.4.30", true)]
    [InlineData("GLIBCXX_3.4.3", false)]
    [InlineData("GLIBCXX_3.4.32", false)]
    public void DefinesVersion_LibraryWithGlibcxx3430_MatchesWholeNamesOnly(string version, bool expected)
    {
        byte[] library = Encoding.ASCII.GetBytes("\u007fELF....\0GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0GLIBCXX_3.4.320\0");

        Assert.Equal(expected, ElfVersionNeedPatcher.DefinesVersion(library, version));
    }

    [Fact]
    public void ParseLdconfigCache_MultilibOutput_PrefersRequestedArchitecture()
    {
        const string Output = "1234 libs found in cache `/etc/ld.so.cache'\n" +
            "\tlibstdc++.so.6 (libc6) => /usr/lib32/libstdc++.so.6\n" +
            "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6\n" +
            "\tlibstdc++fs.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++fs.so.6\n";

        Assert.Equal("/lib/x86_64-linux-gnu/libstdc++.so.6", ElfVersionNeedPatcher.ParseLdconfigCache(Output, "x86-64"));
        Assert.Equal("/usr/lib32/libstdc++.so.6", ElfVersionNeedPatcher.ParseLdconfigCache(Output, "AArch64"));
        Assert.Null(ElfVersionNeedPatcher.ParseLdconfigCache("0 libs found\n", "x86-64"));
    }

    [Fact]
    public void PatchFileAtomically_RegularFile_SetsFlagAndKeepsModeAndModificationTime()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string directory = Directory.CreateTempSubdirectory("tscompat-").FullName;
        try
        {
            string path = Path.Combine(directory, "libLibTorchSharp.so");
            File.WriteAllBytes(path, SyntheticElf.Build());
            const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead;
            File.SetUnixFileMode(path, Mode);
            var modified = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, modified);
            var toWeaken = ElfVersionNeedPatcher.SelectToWeaken(
                ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(path)), WeakList, _ => false);

            ElfVersionNeedPatcher.PatchFileAtomically(path, toWeaken);

            Assert.True(ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(path))[2].IsWeak);
            Assert.Equal(Mode, File.GetUnixFileMode(path));
            Assert.Equal(modified, File.GetLastWriteTimeUtc(path));
            Assert.Equal([path], Directory.GetFiles(directory)); // no temporary file left behind
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void PatchFileAtomically_SymlinkToCache_ReplacesLinkAndLeavesCacheFileUntouched()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string directory = Directory.CreateTempSubdirectory("tscompat-").FullName;
        try
        {
            string cacheFile = Path.Combine(directory, "cache.so");
            byte[] original = SyntheticElf.Build();
            File.WriteAllBytes(cacheFile, original);
            string output = Path.Combine(directory, "libLibTorchSharp.so");
            File.CreateSymbolicLink(output, cacheFile);
            var toWeaken = ElfVersionNeedPatcher.SelectToWeaken(
                ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(output)), WeakList, _ => false);

            ElfVersionNeedPatcher.PatchFileAtomically(output, toWeaken);

            Assert.Equal(original, File.ReadAllBytes(cacheFile));
            Assert.Null(new FileInfo(output).LinkTarget);
            Assert.True(ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(output))[2].IsWeak);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void OutputLibLibTorchSharp_AfterBuild_WeakExactlyWhenHostLibStdCxxLacksVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string? library = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .FirstOrDefault();
        Assert.NotNull(library);
        string? hostLibStdCxx = ElfVersionNeedPatcher.FindHostLibStdCxx();
        Assert.NotNull(hostLibStdCxx);
        bool hostHasVersion = ElfVersionNeedPatcher.DefinesVersion(File.ReadAllBytes(hostLibStdCxx), Needed);

        var need = Assert.Single(
            ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(library)), n => n.Name == Needed);

        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal(!hostHasVersion, need.IsWeak);
    }

    /// <summary>
    /// A minimal ELF64 LE image: header, .dynstr, .gnu.version_r (libc.so.6: GLIBC_2.34; libstdc++.so.6:
    /// GLIBCXX_3.4.30, GLIBCXX_3.4.32), .shstrtab and the section header table.
    /// </summary>
    private static class SyntheticElf
    {
        public const int DynstrOffset = 64;
        public const int VerneedOffset = 136; // after .dynstr (64 + 67 bytes), 8-aligned
        private const string Dynstr = "\0libc.so.6\0libstdc++.so.6\0GLIBC_2.34\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0";

        public static byte[] Build(uint verneedType = ElfVersionNeedPatcher.ShtGnuVerneed)
        {
            Assert.True(DynstrOffset + Dynstr.Length <= VerneedOffset, "synthetic .dynstr overlaps .gnu.version_r");
            const string Shstrtab = "\0.dynstr\0.gnu.version_r\0.shstrtab\0";
            uint Str(string s) => (uint)Dynstr.IndexOf("\0" + s + "\0", StringComparison.Ordinal) + 1;

            const int VerneedSize = (2 * 16) + (3 * 16);
            const int ShstrtabOffset = VerneedOffset + VerneedSize;
            int sectionHeaders = (ShstrtabOffset + Shstrtab.Length + 7) & ~7;
            var image = new byte[sectionHeaders + (4 * 64)];
            var span = image.AsSpan();

            // ELF header.
            "\u007fELF"u8.CopyTo(span);
            image[4] = 2; // ELFCLASS64
            image[5] = 1; // ELFDATA2LSB
            image[6] = 1; // EV_CURRENT
            WriteU16(span, 0x10, 3); // ET_DYN
            WriteU16(span, 0x12, 62); // EM_X86_64
            WriteU32(span, 0x14, 1);
            WriteU64(span, 0x28, (ulong)sectionHeaders);
            WriteU16(span, 0x34, 64);
            WriteU16(span, 0x3A, 64);
            WriteU16(span, 0x3C, 4);
            WriteU16(span, 0x3E, 3);

            Encoding.ASCII.GetBytes(Dynstr).CopyTo(span[DynstrOffset..]);
            Encoding.ASCII.GetBytes(Shstrtab).CopyTo(span[ShstrtabOffset..]);

            // Verneed libc.so.6 (1 aux), then libstdc++.so.6 (2 aux); the aux entries follow each Verneed.
            var v = span[VerneedOffset..];
            WriteVerneed(v, 0, Str("libc.so.6"), auxCount: 1, next: 32);
            WriteVernaux(v, 16, Str("GLIBC_2.34"), other: 2, next: 0);
            WriteVerneed(v, 32, Str("libstdc++.so.6"), auxCount: 2, next: 0);
            WriteVernaux(v, 48, Str("GLIBCXX_3.4.30"), other: 3, next: 16);
            WriteVernaux(v, 64, Str("GLIBCXX_3.4.32"), other: 4, next: 0);

            // Section headers: [0] null, [1] .dynstr, [2] .gnu.version_r (sh_link 1, sh_info 2), [3] .shstrtab.
            WriteSection(span, sectionHeaders + 64, name: 1, type: 3, offset: DynstrOffset, size: Dynstr.Length, link: 0, info: 0);
            WriteSection(span, sectionHeaders + 128, name: 9, type: verneedType, offset: VerneedOffset, size: VerneedSize, link: 1, info: 2);
            WriteSection(span, sectionHeaders + 192, name: 24, type: 3, offset: ShstrtabOffset, size: Shstrtab.Length, link: 0, info: 0);
            return image;
        }

        private static void WriteVerneed(Span<byte> s, int at, uint file, ushort auxCount, uint next)
        {
            WriteU16(s, at, 1);
            WriteU16(s, at + 2, auxCount);
            WriteU32(s, at + 4, file);
            WriteU32(s, at + 8, 16);
            WriteU32(s, at + 12, next);
        }

        private static void WriteVernaux(Span<byte> s, int at, uint name, ushort other, uint next)
        {
            WriteU32(s, at, 0x0bad0bad); // vna_hash: not checked by the patcher
            WriteU16(s, at + 4, 0);
            WriteU16(s, at + 6, other);
            WriteU32(s, at + 8, name);
            WriteU32(s, at + 12, next);
        }

        private static void WriteSection(Span<byte> s, int at, uint name, uint type, int offset, int size, uint link, uint info)
        {
            WriteU32(s, at, name);
            WriteU32(s, at + 4, type);
            WriteU64(s, at + 0x18, (ulong)offset);
            WriteU64(s, at + 0x20, (ulong)size);
            WriteU32(s, at + 0x28, link);
            WriteU32(s, at + 0x2C, info);
            WriteU64(s, at + 0x30, 1);
        }

        private static void WriteU16(Span<byte> s, int at, ushort value) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(s[at..], value);

        private static void WriteU32(Span<byte> s, int at, uint value) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[at..], value);

        private static void WriteU64(Span<byte> s, int at, ulong value) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(s[at..], value);
    }
}
