namespace NetflixRec.Training.Cli;

/// <summary>
/// Paces full collections through a phase that allocates large short-lived buffers (scoring every held-out user for
/// the ranking, predicting the probe, the export's checks). The GC lets the large-object heap grow by a budget that
/// scales with what survived the last full collection — gigabytes in a Prize-size study, where the live heap holds the
/// training set and indexes — before it collects again, and that garbage became the study's peak (mult-vae's evaluation
/// at <c>full</c>: +5 GB in 32 MB large-object regions). A timer collects whenever the heap has grown by more than
/// the slack since the last collection, so the phase holds at most its live data plus the slack.
/// </summary>
internal sealed class ManagedHeapGuard : IDisposable
{
    /// <summary>The growth a phase may have before a collection: well above a scoring batch, well below a model's peak.</summary>
    public const long DefaultSlackBytes = 1L << 30;

    private readonly Timer _timer;
    private readonly long _slack;
    private long _mark;
    private int _busy;
    private int _collections;

    private ManagedHeapGuard(long slackBytes, TimeSpan period)
    {
        _slack = slackBytes;
        _mark = GC.GetTotalMemory(forceFullCollection: false);
        _timer = new Timer(_ => Check(), null, period, period);
    }

    /// <summary>How many collections the guard ran.</summary>
    public int Collections => Volatile.Read(ref _collections);

    /// <summary>Starts watching the managed heap; dispose to stop.</summary>
    public static ManagedHeapGuard Start(long slackBytes = DefaultSlackBytes, TimeSpan? period = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slackBytes);
        return new ManagedHeapGuard(slackBytes, period ?? TimeSpan.FromSeconds(1));
    }

    /// <summary>Collects when the heap (garbage not yet collected included) has grown by more than the slack; one check at a time.</summary>
    public void Check()
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            return;
        }

        try
        {
            if (GC.GetTotalMemory(forceFullCollection: false) - Volatile.Read(ref _mark) > _slack)
            {
                // Not compacting: the large buffers are garbage, and freeing their regions is what bounds the growth.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
                Volatile.Write(ref _mark, GC.GetTotalMemory(forceFullCollection: false));
                Interlocked.Increment(ref _collections);
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
