using NetflixRec.Contracts;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// A directory's version reads a file's contents again only when the file's identity changed: an unchanged directory is
/// not re-read on the next scan, a replacement that keeps size and modification time still is, and the version is the
/// one an uncached scan (a restarted server) computes.
/// </summary>
public sealed class ContentHashCacheTests : IDisposable
{
    private static readonly TimeSpan NextTick = TimeSpan.FromMilliseconds(20);
    private const string Data = ModelDirectory.Onnx + ".data";

    private readonly TempDirectory _directory = new();
    private readonly string _model;

    public ContentHashCacheTests()
    {
        _model = _directory.Combine("model");
        Directory.CreateDirectory(_model);
        File.WriteAllText(Path.Combine(_model, ModelDirectory.Manifest), "{\"name\": \"svd\"}");
        File.WriteAllBytes(Path.Combine(_model, ModelDirectory.Onnx), [8, 1, 2, 3]);
        File.WriteAllBytes(Path.Combine(_model, Data), new byte[4096]);
        File.WriteAllBytes(Path.Combine(_model, ModelDirectory.Users), [9, 9]); // not hashed: name, size and time only
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void VersionOf_UnchangedDirectoryScannedTwice_ReadsEachHashedFileOnceAndEqualsAnUncachedScan()
    {
        var cache = new ContentHashCache(Settled());

        string? first = ModelRegistry.VersionOf(_model, cache);
        string? second = ModelRegistry.VersionOf(_model, cache);

        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal(3, cache.ContentReads);
        Assert.Equal(first, ModelRegistry.VersionOf(_model));
    }

    [Fact]
    public void VersionOf_SameSizeRewriteWithTimeRestored_IsReReadAndANewVersion()
    {
        var cache = new ContentHashCache(Settled());
        string data = Path.Combine(_model, Data);
        // A whole second, so restoring it through DateTime's 100 ns ticks gives the very same nanoseconds (as cp -p does).
        DateTime written = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(data, written);
        string? before = ModelRegistry.VersionOf(_model, cache);
        Thread.Sleep(NextTick);

        byte[] bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 1;
        File.WriteAllBytes(data, bytes);
        File.SetLastWriteTimeUtc(data, written);
        string? after = ModelRegistry.VersionOf(_model, cache);

        Assert.NotEqual(before, after);
        Assert.Equal(4, cache.ContentReads); // the changed file only
        Assert.Equal(after, ModelRegistry.VersionOf(_model));
    }

    [Fact]
    public void VersionOf_SameBytesRenamedIntoPlace_IsReReadAndKeepsItsVersionWhenTimesMatch()
    {
        var cache = new ContentHashCache(Settled());
        string onnx = Path.Combine(_model, ModelDirectory.Onnx), staged = _directory.Combine("staged.onnx");
        string? before = ModelRegistry.VersionOf(_model, cache);
        File.Copy(onnx, staged);
        File.SetLastWriteTimeUtc(staged, File.GetLastWriteTimeUtc(onnx));

        File.Move(staged, onnx, overwrite: true);
        string? after = ModelRegistry.VersionOf(_model, cache);

        Assert.Equal(4, cache.ContentReads);
        Assert.Equal(before, after); // the version is a function of names, sizes, times and contents only
    }

    [Fact]
    public void VersionOf_FilesChangedWithinTheSettleWindow_AreReadOnEveryScan()
    {
        // Just written: a second write in the same timestamp granule could keep the identity, so nothing is kept yet.
        var cache = new ContentHashCache(TimeProvider.System);

        ModelRegistry.VersionOf(_model, cache);
        ModelRegistry.VersionOf(_model, cache);

        Assert.Equal(6, cache.ContentReads);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Sweep_FileOrDirectoryGone_ForgetsItsEntries()
    {
        var cache = new ContentHashCache(Settled());
        ModelRegistry.VersionOf(_model, cache);
        cache.Sweep();
        Assert.Equal(3, cache.Count);

        File.Delete(Path.Combine(_model, Data));
        ModelRegistry.VersionOf(_model, cache);
        cache.Sweep();
        Assert.Equal(2, cache.Count);

        cache.Sweep(); // a scan that saw no model directory
        Assert.Equal(0, cache.Count);
    }

    /// <summary>A clock far enough ahead that the files written by the constructor count as settled.</summary>
    private static TimeProvider Settled() => new AheadClock(ContentHashCache.SettledAfter + TimeSpan.FromMinutes(1));

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
