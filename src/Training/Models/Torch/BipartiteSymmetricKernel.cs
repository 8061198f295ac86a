namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Â·X for a symmetric adjacency of a bipartite graph whose first <c>split</c> nodes (users) connect only to the rest
/// (movies): the user rows gather movie rows (a small table that stays in cache, <see cref="SparseKernel"/>), and the
/// movie rows, Âᵀ's user rows by symmetry, are pushed from the user rows read in order (<see cref="PushKernel"/>)
/// instead of gathered at random from the user table. Only the user rows of Â are read; its movie rows must be their
/// transpose (as <c>NormalizedAdjacency.Symmetric</c> builds them). The floats equal the plain CSR product's.
/// </summary>
internal sealed class BipartiteSymmetricKernel : INativeProduct
{
    private readonly SparseKernel _gather;
    private readonly PushKernel _push;
    private readonly int _split;

    public BipartiteSymmetricKernel(SparseMatrix matrix, int split, int threads)
    {
        if (matrix.RowCount != matrix.ColumnCount || split < 0 || split > matrix.RowCount)
        {
            throw new ArgumentException($"a symmetric bipartite adjacency needs a square matrix split inside it; got {matrix.RowCount}×{matrix.ColumnCount} split at {split}", nameof(matrix));
        }

        long entries = matrix.RowOffsets.Span[split];
        var userRows = new SparseMatrix(split, matrix.ColumnCount, matrix.RowOffsets[..(split + 1)], matrix.Columns[..(int)entries], matrix.Values[..(int)entries]);
        _split = split;
        OutputRows = matrix.RowCount;
        _gather = new SparseKernel(userRows, threads);
        _push = new PushKernel(userRows, PushLayout.Transpose(split, matrix.RowCount - split), threads);
    }

    public int OutputRows { get; }

    /// <summary>The users: nodes 0..Split−1.</summary>
    public int Split => _split;

    public void Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        CheckShapes(xLength, yLength, columns);
        long userValues = (long)_split * columns;
        _gather.Multiply(x, xLength, y, userValues, columns);
        ((INativeProduct)_push).Multiply(x, userValues, y + (nint)(userValues * sizeof(float)), yLength - userValues, columns);
    }

    /// <summary>
    /// Â·X where of the user rows only <paramref name="users"/> (distinct) are wanted: those gathered, every movie row
    /// pushed; Y's other user rows are left as they are. The floats of <see cref="Multiply"/> in every row written.
    /// </summary>
    public void MultiplyForUsers(nint x, long xLength, nint y, long yLength, int columns, int[] users)
    {
        CheckShapes(xLength, yLength, columns);
        long userValues = (long)_split * columns;
        _gather.MultiplyRows(x, xLength, y, userValues, columns, users);
        ((INativeProduct)_push).Multiply(x, userValues, y + (nint)(userValues * sizeof(float)), yLength - userValues, columns);
    }

    /// <summary>
    /// Â·X when X's user rows outside <paramref name="users"/> (ascending, distinct) are zero: every user row gathered, the
    /// movie rows pushed from those users only. The floats of <see cref="Multiply"/>.
    /// </summary>
    public void MultiplyFromUsers(nint x, long xLength, nint y, long yLength, int columns, int[] users)
    {
        CheckShapes(xLength, yLength, columns);
        long userValues = (long)_split * columns;
        _gather.Multiply(x, xLength, y, userValues, columns);
        _push.MultiplyFromRows(x, userValues, y + (nint)(userValues * sizeof(float)), yLength - userValues, columns, users);
    }

    private void CheckShapes(long xLength, long yLength, int columns)
    {
        if (xLength != (long)OutputRows * columns || yLength != (long)OutputRows * columns)
        {
            throw new ArgumentException($"Â·X: Â is {OutputRows}×{OutputRows}, X has {xLength} values, Y {yLength}, {columns} columns");
        }
    }
}
