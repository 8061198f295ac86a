namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Ranking quality at one cutoff K, averaged over the ranked users.
/// <list type="bullet">
/// <item><c>Recall</c>, <c>Ndcg</c>, <c>Map</c>: means over the users with at least one relevant held-out movie (see
/// <see cref="RankingMetrics"/> for the definitions); NaN when there are none.</item>
/// <item><c>Coverage</c>: the share of the catalog that appears in at least one top-K list (every ranked user's list
/// counts).</item>
/// <item><c>PopularityPercentile</c>: the mean training popularity percentile (<see cref="MoviePopularity"/>) of every
/// recommended entry of every list; the catalog's own mean is 0.5.</item>
/// <item><c>PopularityLift</c>: the mean training rating count of every recommended entry divided by the catalog's mean
/// rating count per movie (1 = no bias; 5 = recommendations are rated five times as often as the average movie).</item>
/// </list>
/// </summary>
public sealed record CutoffMetrics(int K, double Recall, double Ndcg, double Map, double Coverage, double PopularityPercentile, double PopularityLift);
