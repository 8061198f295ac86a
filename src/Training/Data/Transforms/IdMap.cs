namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// A bijection between external IDs (CustomerID, MovieID) and dense indices 0..Count-1: index i holds the i-th smallest ID.
/// </summary>
public sealed record IdMap(ReadOnlyMemory<int> Ids)
{
    public int Count => Ids.Length;

    public int IdOf(int index) => Ids.Span[index];

    /// <summary>The index of <paramref name="id"/>, or -1 when the ID is not in the map.</summary>
    public int IndexOf(int id)
    {
        int found = Ids.Span.BinarySearch(id);
        return found >= 0 ? found : -1;
    }

    /// <summary>Builds the map from IDs in any order, with repeats.</summary>
    public static IdMap FromIds(ReadOnlySpan<int> ids)
    {
        int[] sorted = ids.ToArray();
        Array.Sort(sorted);
        int unique = sorted.Length == 0 ? 0 : 1;
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[unique - 1])
            {
                sorted[unique++] = sorted[i];
            }
        }

        return new IdMap(sorted.AsMemory(0, unique));
    }
}
