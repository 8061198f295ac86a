using System.Runtime.CompilerServices;
using NetflixRec.Training.Cli;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>The guard that collects large short-lived buffers during compare's scoring phases.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class ManagedHeapGuardTests
{
    [Fact]
    public void Check_AfterGarbageBeyondTheSlack_CollectsIt()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        // A period long enough that only the explicit checks below run.
        using ManagedHeapGuard guard = ManagedHeapGuard.Start(64 << 20, TimeSpan.FromHours(1));
        long start = GC.GetTotalMemory(forceFullCollection: false);

        // 96 MB of large objects, no longer referenced, with the GC held off meanwhile (on its own it collects a small
        // heap's garbage early; the guard matters when the live heap, and so the GC's budget, is gigabytes).
        Assert.True(GC.TryStartNoGCRegion(112L << 20, 104L << 20, disallowFullBlockingGC: true));
        AllocateGarbage(blocks: 12, bytes: 8 << 20);
        long grown = GC.GetTotalMemory(forceFullCollection: false);
        GC.EndNoGCRegion();
        guard.Check();
        long after = GC.GetTotalMemory(forceFullCollection: false);

        Assert.True(grown - start >= 64 << 20, $"the heap grew by {(grown - start) >> 20} MB only; the GC collected by itself");
        Assert.Equal(1, guard.Collections);
        Assert.True(after < grown - (64 << 20), $"heap {grown >> 20} MB → {after >> 20} MB");
    }

    [Fact]
    public void Check_WithinTheSlack_DoesNotCollect()
    {
        using ManagedHeapGuard guard = ManagedHeapGuard.Start(1L << 30, TimeSpan.FromHours(1));

        AllocateGarbage(blocks: 2, bytes: 1 << 20);
        guard.Check();

        Assert.Equal(0, guard.Collections);
    }

    [Fact]
    public void Start_NonPositiveSlack_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ManagedHeapGuard.Start(0));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocateGarbage(int blocks, int bytes)
    {
        for (int i = 0; i < blocks; i++)
        {
            byte[] block = GC.AllocateUninitializedArray<byte>(bytes);
            block[^1] = 1;
        }
    }
}
