namespace NetflixRec.Training.Models;

/// <summary>
/// Batch sizes that keep an epoch meaningful on any data size. A batch chosen for the Prize (gcmc's 262,144 ratings,
/// mult-vae's 500 users) makes an epoch of a 100,000-rating set one or two optimizer steps, so a 40-epoch budget is 40
/// steps — a twenty-fifth of what GC-MC needs there. Batches shrink on small sets so that an epoch is at least
/// <see cref="MinStepsPerEpoch"/> steps; on large sets the configured size rules and nothing changes.
/// </summary>
public static class BatchSizing
{
    public const int MinStepsPerEpoch = 8;

    /// <summary>The batch size for an epoch over <paramref name="items"/> (ratings, edges or users).</summary>
    public static int ForEpoch(int batchSize, int items) =>
        Math.Max(1, Math.Min(batchSize, (items + MinStepsPerEpoch - 1) / MinStepsPerEpoch));
}
