using Microsoft.ML.OnnxRuntime;

namespace NetflixRec.Serving;

/// <summary>
/// One executor's buffers for batched runs, sized for the largest batch: user indices or rating vectors in, the
/// [batch × movies] scores out. Owned by one <see cref="DynamicBatcher"/> executor at a time.
/// </summary>
public sealed class BatchBuffers : IDisposable
{
    private readonly int _movies;

    internal BatchBuffers(int maxBatch, int movies, bool ratingVector, BatchKind kind)
    {
        _movies = movies;
        UserIndex = new long[maxBatch];
        UserRatings = ratingVector ? new float[maxBatch * movies] : [];
        // Pair batches write their scores into pooled arrays sized by the pairs; only score batches need [batch × movies].
        Scores = kind == BatchKind.Scores ? new float[maxBatch * movies] : new float[movies];
        // A batch of one (every call on an idle server) reuses these instead of wrapping the buffers again per run.
        SingleUser = ratingVector
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, UserRatings.AsMemory(0, movies), [1, movies])
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, UserIndex.AsMemory(0, 1), [1]);
        SingleScores = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Scores.AsMemory(0, movies), [1, movies]);
        EmptyRows = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        EmptyColumns = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        RunOptions = new RunOptions();
    }

    internal long[] UserIndex { get; }
    internal float[] UserRatings { get; }

    /// <summary>Row b of the last batch's scores is <c>Scores[b × movies ..]</c>.</summary>
    internal float[] Scores { get; }
    /// <summary>Row <paramref name="row"/> of the last batch's scores (the caller may overwrite it: exclusions).</summary>
    public Span<float> Row(int row) => Scores.AsSpan(row * _movies, _movies);

    internal OrtValue SingleUser { get; }
    internal OrtValue SingleScores { get; }
    internal OrtValue EmptyRows { get; }
    internal OrtValue EmptyColumns { get; }
    internal RunOptions RunOptions { get; }

    public void Dispose()
    {
        SingleUser.Dispose();
        SingleScores.Dispose();
        EmptyRows.Dispose();
        EmptyColumns.Dispose();
        RunOptions.Dispose();
    }
}
