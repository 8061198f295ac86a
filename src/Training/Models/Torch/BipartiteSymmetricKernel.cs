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

    public void Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        if (xLength != (long)OutputRows * columns || yLength != (long)OutputRows * columns)
        {
            throw new ArgumentException($"Â·X: Â is {OutputRows}×{OutputRows}, X has {xLength} values, Y {yLength}, {columns} columns");
        }

        long userValues = (long)_split * columns;
        _gather.Multiply(x, xLength, y, userValues, columns);
        ((INativeProduct)_push).Multiply(x, userValues, y + (nint)(userValues * sizeof(float)), yLength - userValues, columns);
    }
}
