namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// FPSGD's block scheduler over a <see cref="SgdGrid"/>: within an epoch it hands out every block exactly once, in a
/// seeded random order, and never two blocks that share a row or a column at the same time. Threads take one lock per
/// block (thousands of ratings), never per rating. With one thread the order depends only on the seed.
/// </summary>
internal sealed class SgdScheduler
{
    private readonly object _gate = new();
    private readonly int _side;
    private readonly bool[] _rowBusy;
    private readonly bool[] _columnBusy;
    private readonly bool[] _taken;
    private readonly int[] _candidates;
    private int _remaining;
    private Random _random = new(0);

    public SgdScheduler(int side)
    {
        _side = side;
        _rowBusy = new bool[side];
        _columnBusy = new bool[side];
        _taken = new bool[side * side];
        _candidates = new int[side * side];
    }

    /// <summary>Makes every block available again; call between epochs, when no block is running.</summary>
    public void BeginEpoch(int seed)
    {
        lock (_gate)
        {
            Array.Clear(_taken);
            Array.Clear(_rowBusy);
            Array.Clear(_columnBusy);
            _remaining = _taken.Length;
            _random = new Random(seed);
        }
    }

    /// <summary>
    /// Releases <paramref name="finished"/> (−1 for none) and takes the next block, waiting while every block left
    /// conflicts with a running one. Returns −1 once every block of the epoch has been taken.
    /// </summary>
    public int Next(int finished)
    {
        lock (_gate)
        {
            if (finished >= 0)
            {
                _rowBusy[finished / _side] = false;
                _columnBusy[finished % _side] = false;
                Monitor.PulseAll(_gate);
            }

            while (_remaining > 0)
            {
                int count = 0;
                for (int block = 0; block < _taken.Length; block++)
                {
                    if (!_taken[block] && !_rowBusy[block / _side] && !_columnBusy[block % _side])
                    {
                        _candidates[count++] = block;
                    }
                }

                if (count > 0)
                {
                    int chosen = _candidates[_random.Next(count)];
                    _taken[chosen] = true;
                    _rowBusy[chosen / _side] = true;
                    _columnBusy[chosen % _side] = true;
                    _remaining--;
                    return chosen;
                }

                // Every block left shares a row or column with a running one; its release pulses.
                Monitor.Wait(_gate);
            }

            return -1;
        }
    }
}
