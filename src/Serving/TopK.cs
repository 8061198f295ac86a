namespace NetflixRec.Serving;

/// <summary>Top-k selection over a score vector with a size-k min-heap: O(n log k), no allocation. NaN marks an
/// excluded entry (a movie the customer already rated). Ties go to the lower index, so results are deterministic.</summary>
public static class TopK
{
    /// <summary>Writes the indices of the <c>min(k, rankable)</c> best scores into <paramref name="result"/>, best first,
    /// and returns how many were written.</summary>
    public static int Select(ReadOnlySpan<float> scores, Span<int> result)
    {
        int k = result.Length;
        int size = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            float score = scores[i];
            if (float.IsNaN(score))
            {
                continue;
            }

            if (size < k)
            {
                result[size] = i;
                SiftUp(scores, result, size++);
            }
            else if (size > 0 && score > scores[result[0]])
            {
                // Strictly greater: an equal score at a higher index loses the tie to the one already kept.
                result[0] = i;
                SiftDown(scores, result, 0, size);
            }
        }

        // Heap sort in place: repeatedly move the worst to the end, leaving the best first.
        for (int end = size - 1; end > 0; end--)
        {
            (result[0], result[end]) = (result[end], result[0]);
            SiftDown(scores, result, 0, end);
        }

        return size;
    }

    /// <summary>Whether a ranks below b (the heap's root is the worst kept entry).</summary>
    private static bool Worse(ReadOnlySpan<float> scores, int a, int b) => scores[a] < scores[b] || (scores[a] == scores[b] && a > b);

    private static void SiftUp(ReadOnlySpan<float> scores, Span<int> heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(scores, heap[i], heap[parent]))
            {
                return;
            }

            (heap[i], heap[parent]) = (heap[parent], heap[i]);
            i = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> scores, Span<int> heap, int i, int size)
    {
        while (true)
        {
            int left = (2 * i) + 1;
            if (left >= size)
            {
                return;
            }

            int worst = left + 1 < size && Worse(scores, heap[left + 1], heap[left]) ? left + 1 : left;
            if (!Worse(scores, heap[worst], heap[i]))
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
