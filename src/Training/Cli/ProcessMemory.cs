using System.Globalization;
using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Cli;

/// <summary>
/// This process's memory as the OS sees it, and handing freed memory back between the models one process trains in
/// turn (compare, the benchmarks), so that each model's peak is its own and not the sum of what came before.
/// </summary>
internal static class ProcessMemory
{
    private static long s_earlierPeak;

    /// <summary>
    /// Returns what the process no longer uses: a full compacting collection (the GC then decommits the free regions),
    /// the finalizers run (they free the native memory of torch tensors and ONNX Runtime values not disposed
    /// explicitly), a second collection for the objects they released, then glibc's free lists handed back to the OS
    /// (libtorch frees into malloc's arenas, which keep the pages without <c>malloc_trim</c>).
    /// </summary>
    public static void ReleaseFreed()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
    }

    /// <summary>Resident memory now (VmRSS), or 0 where /proc is not available.</summary>
    public static long ResidentBytes() => StatusField("VmRSS:");

    /// <summary>Peak resident memory of this process (VmHWM) since the start or <see cref="ResetPeak"/>, or 0 where /proc is not available.</summary>
    public static long PeakResidentBytes() => StatusField("VmHWM:");

    /// <summary>
    /// The highest resident memory of the whole process so far, across <see cref="ResetPeak"/> windows. Resetting VmHWM
    /// also resets what the kernel reports as the process's maximum at exit (<c>/usr/bin/time</c>'s "Maximum resident set
    /// size" then covers only the last window), so the windows' peaks are kept here.
    /// </summary>
    public static long ProcessPeakBytes() => Math.Max(Interlocked.Read(ref s_earlierPeak), PeakResidentBytes());

    /// <summary>Starts a new peak-memory window: Linux resets VmHWM to the current RSS when "5" is written to clear_refs.</summary>
    public static void ResetPeak()
    {
        long peak = PeakResidentBytes();
        long seen;
        do
        {
            seen = Interlocked.Read(ref s_earlierPeak);
        }
        while (peak > seen && Interlocked.CompareExchange(ref s_earlierPeak, peak, seen) != seen);

        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux or not permitted: the peak then covers the whole process so far.
        }
    }

    /// <summary>One line for progress: resident memory and the managed heap's share of it.</summary>
    public static string Describe()
    {
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        return $"resident {Gigabytes(ResidentBytes())}, managed heap {Gigabytes(gc.HeapSizeBytes)} ({Gigabytes(gc.TotalCommittedBytes)} committed)";
    }

    /// <summary>Hands malloc's free pages back to the OS (glibc only; elsewhere nothing to do or no such call).</summary>
    public static bool TrimNativeHeap() => NativeHeap.Trim();

    private static string Gigabytes(long bytes) => (bytes / 1073741824.0).ToString("F2", CultureInfo.InvariantCulture) + " GB";

    private static long StatusField(string field)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux: report 0.
        }

        return 0;
    }
}
