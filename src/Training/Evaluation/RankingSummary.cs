namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Top-N ranking over the held-out users. <paramref name="UsersRanked"/> is every user with at least one held-out
/// rating; <paramref name="UsersWithoutRelevant"/> of them have no held-out rating at or above the relevance threshold
/// and are left out of Recall, NDCG and MAP (their lists still count for coverage and popularity).
/// </summary>
public sealed record RankingSummary(int UsersRanked, int UsersWithoutRelevant, IReadOnlyList<CutoffMetrics> Cutoffs)
{
    /// <summary>The users whose Recall, NDCG and MAP enter the averages.</summary>
    public int UsersWithRelevant => UsersRanked - UsersWithoutRelevant;

    /// <summary>The metrics at cutoff <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentException">The evaluation did not use that cutoff.</exception>
    public CutoffMetrics At(int k) =>
        Cutoffs.FirstOrDefault(c => c.K == k)
        ?? throw new ArgumentException($"no ranking metrics at K = {k} (evaluated: {string.Join(", ", Cutoffs.Select(c => c.K))})", nameof(k));
}
