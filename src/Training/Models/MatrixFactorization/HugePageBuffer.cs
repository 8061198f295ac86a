using System.Runtime.InteropServices;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// Zeroed native memory for the SGD hot arrays, 2 MB aligned, with transparent huge pages requested on Linux
/// (<c>madvise(MADV_HUGEPAGE)</c>). Movie rows are read in random order, so 4 KB pages would cost TLB misses, and
/// first-touch page faults (measured at several ms per MB in this VM) are 512× fewer. Where huge pages are
/// unavailable it is plain memory.
/// </summary>
internal sealed unsafe class HugePageBuffer<T> : IDisposable
    where T : unmanaged
{
    private readonly nuint _bytes;
    private void* _memory;

    public HugePageBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        // Arrays under one huge page gain nothing from one: they get 4 KB pages (still 64-byte aligned rows).
        nuint bytes = Math.Max(1, (nuint)length * (nuint)sizeof(T));
        nuint alignment = bytes >= HugePages.Size ? HugePages.Size : 4096;
        _bytes = (bytes + alignment - 1) & ~(alignment - 1);
        _memory = NativeMemory.AlignedAlloc(_bytes, alignment);
        if (alignment == HugePages.Size)
        {
            HugePages.Advise(_memory, _bytes);
        }

        Clear((nint)_memory, _bytes);
        GC.AddMemoryPressure((long)_bytes);
    }

    ~HugePageBuffer()
    {
        Free();
    }

    public long Length { get; }

    public T* Pointer => _memory != null ? (T*)_memory : throw new ObjectDisposedException(nameof(HugePageBuffer<T>));

    public Span<T> Span => new(Pointer, checked((int)Length));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Zeroes the memory in parallel chunks: the first touch of each page is a fault (slow in a VM), and faults on
    /// different pages proceed in parallel.
    /// </summary>
    private static void Clear(nint memory, nuint bytes)
    {
        const int Chunk = 32 * 1024 * 1024;
        int chunks = (int)((bytes + Chunk - 1) / Chunk);
        Parallel.For(0, chunks, c =>
        {
            nuint offset = (nuint)c * Chunk;
            NativeMemory.Clear((byte*)memory + offset, Math.Min(Chunk, bytes - offset));
        });
    }

    private void Free()
    {
        if (_memory != null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
            GC.RemoveMemoryPressure((long)_bytes);
        }
    }
}

/// <summary>Transparent huge pages on Linux.</summary>
internal static unsafe partial class HugePages
{
    public const nuint Size = 2 * 1024 * 1024;

    private const int MadviseHugePage = 14;

    /// <summary>Advice only: a kernel without THP leaves 4 KB pages, which is slower but correct.</summary>
    public static void Advise(void* memory, nuint bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Madvise(memory, bytes, MadviseHugePage);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
