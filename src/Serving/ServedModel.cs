namespace NetflixRec.Serving;

/// <summary>
/// A loaded model version: its artifacts, its scorer and a reference count. The registry holds one reference while the
/// version is current; every call holds one while it runs. Retiring drops the registry's reference, so the session is
/// disposed only when the last in-flight call on the old version has finished.
/// </summary>
public sealed class ServedModel
{
    private int _references = 1;

    public ServedModel(string name, string directory, string version, ModelArtifacts artifacts, OnnxScorer scorer, DateTimeOffset loadedAt,
        BatchingSettings batching, ServingMetrics metrics)
    {
        Scores = new DynamicBatcher(name, BatchKind.Scores, scorer, batching, metrics, TryAddReference, Release);
        Pairs = new DynamicBatcher(name, BatchKind.Pairs, scorer, batching, metrics, TryAddReference, Release);
        Name = name;
        Directory = directory;
        Version = version;
        Artifacts = artifacts;
        Scorer = scorer;
        LoadedAt = loadedAt;
    }

    /// <summary>The served name: the model directory's folder name (unique under --models).</summary>
    public string Name { get; }
    public string Directory { get; }

    /// <summary>The directory's version when it was loaded (see <see cref="ModelRegistry.VersionOf"/>).</summary>
    public string Version { get; }
    public ModelArtifacts Artifacts { get; }
    public OnnxScorer Scorer { get; }
    public DateTimeOffset LoadedAt { get; }

    /// <summary>Batches every-movie scoring (Recommend, RecommendMany, RecommendForRatings on rating-vector graphs).</summary>
    public DynamicBatcher Scores { get; }

    /// <summary>Batches pair scoring (Predict, PredictForRatings on rating-vector graphs).</summary>
    public DynamicBatcher Pairs { get; }

    /// <summary>The probe RMSE from the manifest, or +∞ when the model has none.</summary>
    public double Rmse => Artifacts.Manifest.Metrics.TryGetValue("rmse", out double rmse) && double.IsFinite(rmse) ? rmse : double.PositiveInfinity;

    /// <summary>Whether scores are predicted stars (clipped to 1..5 for Predict) rather than ranking scores.</summary>
    public bool PredictsRatings => Artifacts.Manifest.Onnx!.ScoreKind == Contracts.OnnxContract.RatingScores;

    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Takes a reference unless the version is already fully released.</summary>
    public bool TryAddReference()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Scores.Dispose();
            Pairs.Dispose();
            Scorer.Dispose();
        }
    }
}
