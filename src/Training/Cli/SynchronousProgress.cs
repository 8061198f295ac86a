namespace NetflixRec.Training.Cli;

/// <summary>Reports on the training thread, in order (Progress&lt;T&gt; would post to the thread pool, after the next
/// epoch may have begun): the benchmarks read per-epoch state such as RSS and the epoch budget in the callback.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
