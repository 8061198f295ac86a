using System.Buffers;
using System.Runtime.InteropServices;
using Apache.Arrow.Ipc;

namespace NetflixRec.Training.Data.Store;

/// <summary>
/// Arrow IPC compression codecs: the system's native libzstd where it loads (several times faster than the managed
/// port, and bit-compatible with it), otherwise Apache.Arrow.Compression's managed codecs.
/// </summary>
internal sealed partial class ZstdCodecs : ICompressionCodecFactory
{
    private static readonly Apache.Arrow.Compression.CompressionCodecFactory s_managed = new();
    private static readonly bool s_nativeAvailable = ProbeNative();

    public static ZstdCodecs Instance { get; } = new();

    public static bool UsesNativeZstd => s_nativeAvailable;

    public ICompressionCodec CreateCodec(CompressionCodecType compressionCodecType) => CreateCodec(compressionCodecType, null);

    public ICompressionCodec CreateCodec(CompressionCodecType compressionCodecType, int? compressionLevel) =>
        compressionCodecType == CompressionCodecType.Zstd && s_nativeAvailable
            ? new NativeZstdCodec(compressionLevel ?? 1)
            : s_managed.CreateCodec(compressionCodecType, compressionLevel);

    private static bool ProbeNative()
    {
        try
        {
            return NativeMethods.ZSTD_versionNumber() >= 10400;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    private sealed class NativeZstdCodec(int level) : ICompressionCodec
    {
        public unsafe int Decompress(ReadOnlyMemory<byte> source, Memory<byte> destination)
        {
            fixed (byte* src = source.Span)
            fixed (byte* dst = destination.Span)
            {
                nuint written = NativeMethods.ZSTD_decompress(dst, (nuint)destination.Length, src, (nuint)source.Length);
                ThrowOnError(written, "decompress");
                return (int)written;
            }
        }

        public unsafe void Compress(ReadOnlyMemory<byte> source, Stream destination)
        {
            nuint bound = NativeMethods.ZSTD_compressBound((nuint)source.Length);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(checked((int)bound));
            try
            {
                nuint written;
                fixed (byte* src = source.Span)
                fixed (byte* dst = buffer)
                {
                    written = NativeMethods.ZSTD_compress(dst, bound, src, (nuint)source.Length, level);
                }

                ThrowOnError(written, "compress");
                destination.Write(buffer, 0, (int)written);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public void Dispose()
        {
        }

        private static void ThrowOnError(nuint code, string operation)
        {
            if (NativeMethods.ZSTD_isError(code) != 0)
            {
                throw new InvalidDataException($"zstd {operation} failed: {Marshal.PtrToStringAnsi(NativeMethods.ZSTD_getErrorName(code))}");
            }
        }
    }

    private static unsafe partial class NativeMethods
    {
        private const string Library = "libzstd.so.1";

        [LibraryImport(Library)]
        public static partial uint ZSTD_versionNumber();

        [LibraryImport(Library)]
        public static partial nuint ZSTD_compressBound(nuint srcSize);

        [LibraryImport(Library)]
        public static partial nuint ZSTD_compress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

        [LibraryImport(Library)]
        public static partial nuint ZSTD_decompress(byte* dst, nuint dstCapacity, byte* src, nuint compressedSize);

        [LibraryImport(Library)]
        public static partial uint ZSTD_isError(nuint code);

        [LibraryImport(Library)]
        public static partial IntPtr ZSTD_getErrorName(nuint code);
    }
}
