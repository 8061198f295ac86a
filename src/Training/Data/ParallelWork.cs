using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data;

/// <summary>Parallel loops that surface the user's input error (not an AggregateException) when one iteration finds it.</summary>
internal static class ParallelWork
{
    public static void For(int count, int parallelism, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, body);
        }
        catch (AggregateException e) when (FirstFormatError(e) is { } formatError)
        {
            throw formatError;
        }
    }

    public static void For<TLocal>(int count, int parallelism, Func<TLocal> init, Action<int, TLocal> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, init,
                (i, _, local) =>
                {
                    body(i, local);
                    return local;
                },
                _ => { });
        }
        catch (AggregateException e) when (FirstFormatError(e) is { } formatError)
        {
            throw formatError;
        }
    }

    public static void Invoke(int parallelism, params Action[] actions)
    {
        try
        {
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, actions);
        }
        catch (AggregateException e) when (FirstFormatError(e) is { } formatError)
        {
            throw formatError;
        }
    }

    // Several files can be bad at once; report the one a person would look at first (lowest path, then line).
    private static NetflixFormatException? FirstFormatError(AggregateException e) =>
        e.Flatten().InnerExceptions.OfType<NetflixFormatException>()
            .OrderBy(x => x.Path, StringComparer.Ordinal).ThenBy(x => x.Line).FirstOrDefault();
}
