namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// Fixed blocks of consecutive user indices. Passes over all ratings go block by block — for each movie, the slice of
/// its user-sorted raters inside the block — so the block's per-user data stays in cache instead of being fetched from
/// memory once per rating. The block size is a constant, never the worker count, so results do not depend on threads.
/// </summary>
internal static class UserBlocks
{
    public const int Size = 4096;

    public static int Count(int users) => (users + Size - 1) / Size;

    public static int First(int block) => block * Size;

    public static int End(int block, int users) => Math.Min(users, (block + 1) * Size);

    /// <summary>The first position in a sorted array whose value is at least <paramref name="value"/>.</summary>
    public static int LowerBound(int[] sorted, int value)
    {
        int low = 0;
        int high = sorted.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
