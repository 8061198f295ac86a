using NetflixRec.Training.Data;

namespace NetflixRec.Training.Tests.Data;

/// <summary>DeleteUnfinished acts on every write in the process, so these tests never run beside other tests.</summary>
[CollectionDefinition(nameof(OutputDirectoryTests), DisableParallelization = true)]
public sealed class OutputDirectoryCollection
{
}

[Collection(nameof(OutputDirectoryTests))]
public sealed class OutputDirectoryTests
{
    [Fact]
    public void WriteAtomically_Success_RenamesIntoPlaceAndLeavesNoTemporary()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("out");

        int result = OutputDirectory.WriteAtomically(target, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "a.txt"), "done");
            return 7;
        });

        Assert.Equal(7, result);

        Assert.Equal("done", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAtomically_Failure_LeavesNothing()
    {
        using var dir = new TempDirectory();

        Assert.Throws<InvalidOperationException>(() => OutputDirectory.WriteAtomically<int>(dir.Combine("out"), temp =>
        {
            File.WriteAllText(Path.Combine(temp, "half.txt"), "half");
            throw new InvalidOperationException("boom");
        }));

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void DeleteUnfinished_DuringAWrite_RemovesItsTemporaryDirectory()
    {
        using var dir = new TempDirectory();
        string? seen = null;

        // What the CLI's SIGINT/SIGTERM handler does while a command is writing.
        Assert.ThrowsAny<IOException>(() => OutputDirectory.WriteAtomically(dir.Combine("out"), temp =>
        {
            seen = temp;
            OutputDirectory.DeleteUnfinished();
            return File.ReadAllText(Path.Combine(temp, "anything"));
        }));

        Assert.NotNull(seen);
        Assert.False(Directory.Exists(seen));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Replace_Success_SwapsTheDirectoryAndLeavesNoTemporary()
    {
        using var dir = new TempDirectory();
        dir.Write("m/old.txt", "old");

        string seen = OutputDirectory.Replace(dir.Combine("m"), staging =>
        {
            File.WriteAllText(Path.Combine(staging, "new.txt"), "new");
            return Path.GetFileName(staging);
        });

        Assert.StartsWith(".m.tmp-", seen, StringComparison.Ordinal);
        Assert.Equal(["new.txt"], Directory.GetFileSystemEntries(dir.Combine("m")).Select(Path.GetFileName));
        Assert.Equal(["m"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Replace_Failure_KeepsTheOldDirectory()
    {
        using var dir = new TempDirectory();
        dir.Write("m/old.txt", "old");

        Assert.Throws<InvalidOperationException>(() => OutputDirectory.Replace<int>(dir.Combine("m"), staging =>
        {
            File.WriteAllText(Path.Combine(staging, "half.txt"), "half");
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("old", File.ReadAllText(dir.Combine("m", "old.txt")));
        Assert.Equal(["m"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void EnsureAbsentOrEmpty_NonEmpty_NamesTheDirectoryAndParameter()
    {
        using var dir = new TempDirectory();
        dir.Write("x/keep.txt", "mine");

        ArgumentException error = Assert.Throws<ArgumentException>(() => OutputDirectory.EnsureAbsentOrEmpty(dir.Combine("x"), "outDirectory"));

        Assert.Contains(dir.Combine("x"), error.Message, StringComparison.Ordinal);
        Assert.Equal("outDirectory", error.ParamName);
    }
}
