namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Runs a body over items with a fixed number of workers, each with its own scratch state, taking items in the given
/// order (largest first balances the load). Results never depend on which worker ran an item: bodies only write to
/// slots of their own item and draw from that item's random stream.
/// </summary>
internal static class WorkQueue
{
    public static void Run<TState>(IReadOnlyList<int> order, int parallelism, Func<TState> createState, Action<int, TState> body)
    {
        int workers = Math.Clamp(parallelism, 1, Math.Max(1, order.Count));
        int next = -1;
        void Work()
        {
            TState state = createState();
            int k;
            while ((k = Interlocked.Increment(ref next)) < order.Count)
            {
                body(order[k], state);
            }
        }

        if (workers == 1)
        {
            Work();
            return;
        }

        var tasks = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            tasks[w] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface the first failure itself, not the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    public static void Run(IReadOnlyList<int> order, int parallelism, Action<int> body) =>
        Run<bool>(order, parallelism, static () => false, (item, _) => body(item));

    /// <summary>0..count−1.</summary>
    public static int[] Range(int count)
    {
        int[] items = new int[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = i;
        }

        return items;
    }

    /// <summary>0..count−1, largest size first (ties by index, so the order itself is deterministic).</summary>
    public static int[] LargestFirst(IReadOnlyList<int> sizes)
    {
        int[] items = Range(sizes.Count);
        Array.Sort(items, (a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a]) : a.CompareTo(b));
        return items;
    }
}
