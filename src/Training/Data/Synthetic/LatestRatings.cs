namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// For every user, the k largest keys offered so far (key = day, then a tie-break), in one flat array with a small
/// ascending slot per user. k is at most a handful, so insertion into a sorted slot beats a heap.
/// </summary>
internal sealed class LatestRatings
{
    private readonly int[] _offsets;
    private readonly int[] _filled;
    private readonly long[] _keys;
    private readonly int[] _movies;
    private readonly int[] _positions;

    /// <summary>User u keeps up to offsets[u + 1] − offsets[u] entries.</summary>
    public LatestRatings(int[] offsets)
    {
        _offsets = offsets;
        int total = offsets[^1];
        _filled = new int[offsets.Length - 1];
        _keys = new long[total];
        _movies = new int[total];
        _positions = new int[total];
    }

    public int Count(int user) => _filled[user];

    /// <summary>False when a rating on this day cannot enter the user's slot (it is full and its smallest day is later).</summary>
    public bool MightTake(int user, short day)
    {
        int start = _offsets[user];
        int capacity = _offsets[user + 1] - start;
        return _filled[user] < capacity || day >= (short)(_keys[start] >> 32);
    }

    public void Offer(int user, long key, int movie, int position)
    {
        int start = _offsets[user];
        int capacity = _offsets[user + 1] - start;
        int filled = _filled[user];
        int slot;
        if (filled < capacity)
        {
            // Grow: shift larger keys up by one.
            slot = start + filled;
            while (slot > start && _keys[slot - 1] > key)
            {
                Move(slot - 1, slot);
                slot--;
            }

            _filled[user] = filled + 1;
        }
        else
        {
            if (key <= _keys[start])
            {
                return;
            }

            // Drop the smallest: shift smaller keys down by one.
            slot = start;
            while (slot + 1 < start + capacity && _keys[slot + 1] < key)
            {
                Move(slot + 1, slot);
                slot++;
            }
        }

        _keys[slot] = key;
        _movies[slot] = movie;
        _positions[slot] = position;
    }

    public (int Movie, int Position) Get(int user, int index)
    {
        int slot = _offsets[user] + index;
        return (_movies[slot], _positions[slot]);
    }

    private void Move(int from, int to)
    {
        _keys[to] = _keys[from];
        _movies[to] = _movies[from];
        _positions[to] = _positions[from];
    }
}
