namespace NetflixRec.Training.Evaluation;

/// <summary>
/// How to evaluate: ranking cutoffs (must include 20, the cutoff of DESIGN.md's <c>evaluate --json</c> fields), the
/// star threshold at which a held-out rating counts as relevant, the thread count, and how many users are scored
/// per <see cref="Models.IRatingModel.ScoreAll"/> call (each thread holds BatchSize × movies floats).
/// </summary>
public sealed record EvaluationOptions(IReadOnlyList<int> Cutoffs, int RelevantRating, int Threads, int BatchSize)
{
    public const int PrimaryCutoff = 20;

    /// <summary>K = 10 and 20, relevant = 4 stars and up, every core, 256 users per batch.</summary>
    public static EvaluationOptions Default { get; } = new([10, PrimaryCutoff], 4, Environment.ProcessorCount, 256);

    public int MaxCutoff => Cutoffs.Max();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Cutoffs.Count == 0 || Cutoffs.Any(k => k < 1) || Cutoffs.Distinct().Count() != Cutoffs.Count || !Cutoffs.Contains(PrimaryCutoff))
        {
            throw new ArgumentException($"cutoffs [{string.Join(", ", Cutoffs)}]: need distinct positive values including {PrimaryCutoff}", nameof(Cutoffs));
        }

        if (RelevantRating is < 1 or > 5)
        {
            throw new ArgumentException($"relevant rating {RelevantRating}: must be 1–5 stars", nameof(RelevantRating));
        }

        if (Threads < 1)
        {
            throw new ArgumentException($"threads {Threads}: must be at least 1", nameof(Threads));
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"batch size {BatchSize}: must be at least 1", nameof(BatchSize));
        }
    }
}
