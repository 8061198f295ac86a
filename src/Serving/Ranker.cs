using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// The scoring path of a Recommend call without the RPC around it: score every movie for a known user, leave out what
/// they rated (unless asked not to), select the top k, one call per ONNX run. The load generator's unbatched in-process
/// floor uses it; the service scores through <see cref="DynamicBatcher"/> and leaves out and selects per row by the same
/// rule (<see cref="TopK.SelectExcluding"/>).
/// </summary>
public static class Ranker
{
    /// <summary>Writes the best movie indices into <paramref name="top"/> (its length is k), best first, and returns how
    /// many there were; their scores stay in <see cref="ScoringBuffers.Scores"/> until the buffers are returned.</summary>
    public static int Rank(ModelArtifacts artifacts, OnnxScorer scorer, ScoringBuffers buffers, int user, bool includeRated, Span<int> top,
        CancellationToken cancellationToken)
    {
        scorer.ScoreAll(buffers, user, cancellationToken);
        return TopK.SelectExcluding(buffers.Scores, includeRated ? [] : artifacts.RatedMovies(user), top);
    }
}
