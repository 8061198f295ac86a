namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Top-K metrics of one ranked list with binary relevance. <c>hits[i]</c> says whether the movie at rank i (0-based)
/// is relevant; <c>relevant</c> is how many relevant movies the user has in all. Every metric normalizes by
/// min(K, relevant) — the convention of the Netflix/Mult-VAE literature (Liang et al. 2018), so that a perfect list
/// scores 1 even when the user has more than K relevant movies. With no relevant movies a metric is undefined (NaN);
/// the caller excludes such users from the averages. Ties in the scores are resolved before these functions see the
/// list (see <see cref="TopK"/>: lower movie index first), so a tie counts at the rank that rule gives it.
/// </summary>
public static class RankingMetrics
{
    private static readonly double[] Discounts = Enumerable.Range(0, 1024).Select(i => 1 / Math.Log2(i + 2)).ToArray();

    /// <summary>Recall@K = relevant movies among the first K / min(K, relevant).</summary>
    public static double Recall(ReadOnlySpan<bool> hits, int relevant, int k)
    {
        if (relevant <= 0)
        {
            return double.NaN;
        }

        int found = 0;
        int n = Math.Min(k, hits.Length);
        for (int i = 0; i < n; i++)
        {
            found += hits[i] ? 1 : 0;
        }

        return (double)found / Math.Min(k, relevant);
    }

    /// <summary>
    /// NDCG@K with binary gains and the log2 discount: DCG = Σ_{i&lt;K} hit_i / log2(i + 2), divided by the ideal DCG of
    /// min(K, relevant) hits at the top.
    /// </summary>
    public static double Ndcg(ReadOnlySpan<bool> hits, int relevant, int k)
    {
        if (relevant <= 0)
        {
            return double.NaN;
        }

        double dcg = 0;
        int n = Math.Min(k, hits.Length);
        for (int i = 0; i < n; i++)
        {
            if (hits[i])
            {
                dcg += Discount(i);
            }
        }

        return dcg / IdealDcg(relevant, k);
    }

    /// <summary>AP@K = Σ_{i&lt;K} precision@(i + 1) · hit_i / min(K, relevant); MAP@K is its mean over users.</summary>
    public static double AveragePrecision(ReadOnlySpan<bool> hits, int relevant, int k)
    {
        if (relevant <= 0)
        {
            return double.NaN;
        }

        double sum = 0;
        int found = 0;
        int n = Math.Min(k, hits.Length);
        for (int i = 0; i < n; i++)
        {
            if (hits[i])
            {
                found++;
                sum += (double)found / (i + 1);
            }
        }

        return sum / Math.Min(k, relevant);
    }

    /// <summary>The DCG of a list whose first min(K, relevant) entries are all hits.</summary>
    public static double IdealDcg(int relevant, int k)
    {
        double ideal = 0;
        int n = Math.Min(k, relevant);
        for (int i = 0; i < n; i++)
        {
            ideal += Discount(i);
        }

        return ideal;
    }

    /// <summary>1 / log2(rank + 2) for a 0-based rank.</summary>
    public static double Discount(int rank) => rank < Discounts.Length ? Discounts[rank] : 1 / Math.Log2(rank + 2);
}
