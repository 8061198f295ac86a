using System.Runtime.InteropServices;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// glibc's heap, where libtorch's tensors below malloc's mmap threshold (32 MB at most) live and are freed: it keeps
/// freed pages unless asked, and a long training loop whose tensors change size fragments it, so the resident size
/// creeps up step after step.
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Hands malloc's free pages back to the OS (glibc only; elsewhere nothing to do or no such call).</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallocTrim(0) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without malloc_trim (musl): it returns freed memory on its own terms.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
