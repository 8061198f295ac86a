using System.Diagnostics;
using System.Globalization;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// The statx wrapper reads the fields <c>stat</c> and FileInfo agree with, and every kind of replacement a publisher
/// does — including one that restores size and modification time — gives a file another identity.
/// </summary>
public sealed class FileIdentityTests : IDisposable
{
    // Longer than a clock tick, so two writes get different coarse timestamps on kernels without fine-grained ones.
    private static readonly TimeSpan NextTick = TimeSpan.FromMilliseconds(20);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Of_ExistingFile_SizeAndInodeAsFileInfoAndStatSay()
    {
        string path = _directory.Combine("model.onnx");
        File.WriteAllBytes(path, new byte[12_345]);

        FileIdentity identity = OnLinux(path);

        Assert.Equal((ulong)new FileInfo(path).Length, identity.Size);
        Assert.Equal(ulong.Parse(Run("stat", "-c", "%i", path), CultureInfo.InvariantCulture), identity.Inode);
        Assert.Equal(File.GetLastWriteTimeUtc(path), DateTime.UnixEpoch.AddTicks(identity.ModifiedNs / 100));
    }

    [Fact]
    public void Of_HardLinkAndSymbolicLink_AreTheTargetsIdentity()
    {
        string path = _directory.Combine("model.onnx.data"), hard = _directory.Combine("hard"), soft = _directory.Combine("soft");
        File.WriteAllBytes(path, new byte[100]);
        Run("ln", path, hard);
        File.CreateSymbolicLink(soft, path);

        FileIdentity identity = OnLinux(path);

        Assert.Equal(identity.Inode, OnLinux(hard).Inode);
        Assert.Equal(identity, OnLinux(soft));
    }

    [Fact]
    public void Of_MissingFile_IsNull() => Assert.Null(FileIdentity.Of(_directory.Combine("absent")));

    [Fact]
    public void Of_SameSizeRewrite_Changes()
    {
        string path = _directory.Combine("manifest.json");
        File.WriteAllText(path, "{\"rmse\": 0.91}");
        FileIdentity before = OnLinux(path);
        Thread.Sleep(NextTick);

        File.WriteAllText(path, "{\"rmse\": 0.92}");

        Assert.Equal(before.Size, OnLinux(path).Size);
        Assert.NotEqual(before, OnLinux(path));
    }

    [Fact]
    public void Of_SameSizeRewriteWithModificationTimeRestored_ChangesOnlyByChangeTime()
    {
        // What cp -p, touch -r or rsync -t leave behind: same inode, size and mtime, other bytes.
        string path = _directory.Combine("model.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        // A whole second, so restoring it through DateTime's 100 ns ticks gives the very same nanoseconds (as cp -p does).
        DateTime written = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        FileIdentity before = OnLinux(path);
        Thread.Sleep(NextTick);

        File.WriteAllBytes(path, [1, 2, 3, 5]);
        File.SetLastWriteTimeUtc(path, written);
        FileIdentity after = OnLinux(path);

        Assert.Equal(before.Inode, after.Inode);
        Assert.Equal(before.Size, after.Size);
        Assert.Equal(before.ModifiedNs, after.ModifiedNs);
        Assert.NotEqual(before.ChangedNs, after.ChangedNs);
        Assert.NotEqual(before, after);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Of_Chmod_Changes()
    {
        string path = _directory.Combine("model.onnx");
        File.WriteAllBytes(path, [1, 2, 3]);
        FileIdentity before = OnLinux(path);
        Thread.Sleep(NextTick);

        File.SetUnixFileMode(path, UnixFileMode.UserRead);

        Assert.NotEqual(before, OnLinux(path));
    }

    [Fact]
    public void Of_SameBytesRenamedIntoPlace_Changes()
    {
        string path = _directory.Combine("model.onnx"), staged = _directory.Combine(".model.onnx.tmp");
        File.WriteAllBytes(path, [1, 2, 3]);
        FileIdentity before = OnLinux(path);
        File.Copy(path, staged);
        File.SetLastWriteTimeUtc(staged, File.GetLastWriteTimeUtc(path));

        File.Move(staged, path, overwrite: true);

        Assert.NotEqual(before, OnLinux(path));
    }

    /// <summary>The identity statx gives (these tests run on Linux, as the project does).</summary>
    private static FileIdentity OnLinux(string path)
    {
        FileIdentity? identity = FileIdentity.Of(path);
        Assert.True(identity.HasValue, $"statx gave no identity for {path} (Linux: {OperatingSystem.IsLinux()})");
        return identity.Value;
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
        return output.Trim();
    }
}
