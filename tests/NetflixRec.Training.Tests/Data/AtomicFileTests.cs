using NetflixRec.Training.Data;

namespace NetflixRec.Training.Tests.Data;

public sealed class AtomicFileTests
{
    [Fact]
    public void Write_Success_ReplacesTheFileAndReturnsTheResult()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("a.json", "old");

        long bytes = AtomicFile.Write(target, temp =>
        {
            File.WriteAllText(temp, "new");
            return new FileInfo(temp).Length;
        });

        Assert.Equal(3, bytes);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["a.json"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_Failure_KeepsTheOldFileAndLeavesNoTemporary()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("a.json", "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(["a.json"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void TemporarySibling_TwoCalls_HiddenUniqueAndKeepTheExtension()
    {
        string first = AtomicFile.TemporarySibling("/data/chart.png");
        string second = AtomicFile.TemporarySibling("/data/chart.png");

        Assert.NotEqual(first, second);
        Assert.Equal("/data", Path.GetDirectoryName(first));
        Assert.StartsWith(".chart.tmp-", Path.GetFileName(first), StringComparison.Ordinal);
        Assert.Equal(".png", Path.GetExtension(first));
    }
}
