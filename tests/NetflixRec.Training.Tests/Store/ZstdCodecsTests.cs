using Apache.Arrow.Ipc;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Tests.Store;

public sealed class ZstdCodecsTests
{
    [Fact]
    public void Compress_NativeOrFallback_DecompressesWithApacheManagedCodec()
    {
        byte[] data = [.. Enumerable.Range(0, 100_000).Select(i => (byte)((i * 31) % 251 % 7))];
        using ICompressionCodec ours = ZstdCodecs.Instance.CreateCodec(CompressionCodecType.Zstd, 1);
        using ICompressionCodec managed = new Apache.Arrow.Compression.CompressionCodecFactory().CreateCodec(CompressionCodecType.Zstd);
        using var compressed = new MemoryStream();

        ours.Compress(data, compressed);
        var restored = new byte[data.Length];
        int written = managed.Decompress(compressed.ToArray(), restored);

        Assert.Equal(data.Length, written);
        Assert.Equal(data, restored);
        Assert.True(compressed.Length < data.Length / 4);
    }

    [Fact]
    public void Decompress_ManagedOutput_RestoresWithOurCodec()
    {
        byte[] data = [.. Enumerable.Range(0, 50_000).Select(i => (byte)(i % 13))];
        using ICompressionCodec ours = ZstdCodecs.Instance.CreateCodec(CompressionCodecType.Zstd);
        using ICompressionCodec managed = new Apache.Arrow.Compression.CompressionCodecFactory().CreateCodec(CompressionCodecType.Zstd);
        using var compressed = new MemoryStream();

        managed.Compress(data, compressed);
        var restored = new byte[data.Length];

        Assert.Equal(data.Length, ours.Decompress(compressed.ToArray(), restored));
        Assert.Equal(data, restored);
    }

    [Fact]
    public void NativeZstd_OnThisMachine_IsUsed()
    {
        // Debian ships libzstd.so.1 with dpkg itself; if this fails, the store silently runs on the slower managed port.
        Assert.True(ZstdCodecs.UsesNativeZstd);
    }
}
