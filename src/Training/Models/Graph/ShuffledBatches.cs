namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// The order in which an epoch visits a trainer's items (ratings or edges): 0..count−1 shuffled afresh each epoch with
/// the trainer's seeded generator, cut into consecutive batches. The <paramref name="budget"/> (a benchmark's fraction)
/// may end the epoch early. The segments share one buffer: read a batch before asking for the next.
/// </summary>
internal sealed class ShuffledBatches(int count, Random random, EpochBudget budget)
{
    private readonly int[] _order = new int[count];

    public int Count => count;

    /// <summary>The batches an epoch of <paramref name="batchSize"/> yields when the budget allows <paramref name="share"/> of it
    /// (a batch starts while less than that share is done).</summary>
    public long StepsPerEpoch(int batchSize, double share)
    {
        long size = BatchSizing.ForEpoch(batchSize, count);
        long whole = (count + size - 1) / size;
        return Math.Clamp((long)Math.Ceiling(share * count / size), 1, Math.Max(1, whole));
    }

    public IEnumerable<ArraySegment<int>> NextEpoch(int batchSize)
    {
        batchSize = BatchSizing.ForEpoch(batchSize, _order.Length);
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        random.Shuffle(_order);
        for (int start = 0; start < _order.Length; start += batchSize)
        {
            int size = Math.Min(batchSize, _order.Length - start);
            if (!budget.Allows(start + size, _order.Length))
            {
                yield break;
            }

            yield return new ArraySegment<int>(_order, start, size);
        }
    }
}
