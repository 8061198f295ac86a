using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// Aᵀ·G for one side of GC-MC's per-level adjacency, computed from the <em>other</em> side's matrix B instead of a stored
/// transpose. B has N rows and L·K columns, entry (n, l·K + k) = c; A (K rows, L·N columns) holds the same entries as
/// (k, l·N + n). So (Aᵀ·G)[l·N + n] = Σ over B's row n of c·G[k]: each output row belongs to one row of B, and B's rows
/// are sorted by column, so every output row sums its terms in the same order (k ascending) as a counting-sort
/// transpose would: the same floats, without the transpose's 12 bytes per rating.
/// </summary>
public sealed class LevelTransposeKernel : INativeProduct
{
    private readonly int[] _chunkStarts;
    private readonly int _otherNodes;

    /// <param name="other">B, the matrix of the other side (N × L·K).</param>
    public LevelTransposeKernel(SparseMatrix other, int levels, int threads)
    {
        if (levels < 1 || other.ColumnCount % levels != 0)
        {
            throw new ArgumentException($"{other.ColumnCount} columns are not {levels} levels of equal width", nameof(other));
        }

        Other = other;
        Levels = levels;
        Threads = Math.Max(1, threads);
        _otherNodes = other.ColumnCount / levels;
        _chunkStarts = SparseKernel.Partition(other, Threads * 8);
    }

    public SparseMatrix Other { get; }

    public int Levels { get; }

    public int Threads { get; }

    /// <summary>Rows of the product: L·N.</summary>
    public int OutputRows => Levels * Other.RowCount;

    /// <summary>Rows of G: K.</summary>
    public int InputRows => _otherNodes;

    /// <summary>Writes Aᵀ·G into <paramref name="y"/> (L·N × columns); <paramref name="g"/> is K × columns.</summary>
    public void Multiply(ReadOnlyMemory<float> g, Memory<float> y, int columns) => NativeProduct.InParts(this, g, y, columns);

    void INativeProduct.Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        CheckShapes(xLength, yLength, columns);
        NativeProduct.InParts(_chunkStarts.Length - 1, Threads, x, xLength, y, yLength, columns, MultiplyChunk);
    }

    private void CheckShapes(long gLength, long yLength, int columns)
    {
        if (gLength != (long)InputRows * columns || yLength != (long)OutputRows * columns)
        {
            throw new ArgumentException($"Aᵀ·G: Aᵀ is {OutputRows}×{InputRows}, G has {gLength} values, Y {yLength}, {columns} columns");
        }
    }

    // B's rows n of one chunk write the output rows l·N + n (all levels): no other thread touches them.
    private void MultiplyChunk(int chunk, ReadOnlySpan<float> input, Span<float> output, int columns)
    {
        ReadOnlySpan<long> offsets = Other.RowOffsets.Span;
        ReadOnlySpan<int> indices = Other.Columns.Span;
        ReadOnlySpan<float> values = Other.Values.Span;
        int rows = Other.RowCount;
        for (int n = _chunkStarts[chunk]; n < _chunkStarts[chunk + 1]; n++)
        {
            for (int l = 0; l < Levels; l++)
            {
                output.Slice(((l * rows) + n) * columns, columns).Clear();
            }

            // ByLevel's rows ascend, so their levels do too: find the level only when a column leaves the current one, instead
            // of dividing per rating (any order still gives the right level, just more often).
            int level = 0, levelStart = 0;
            Span<float> row = output.Slice(n * columns, columns);
            for (long e = offsets[n]; e < offsets[n + 1]; e++)
            {
                int column = indices[(int)e];
                if (column >= levelStart + _otherNodes || column < levelStart)
                {
                    level = column / _otherNodes;
                    levelStart = level * _otherNodes;
                    row = output.Slice(((level * rows) + n) * columns, columns);
                }

                ScaledRowAdd.Apply(input.Slice((column - levelStart) * columns, columns), values[(int)e], row);
            }
        }
    }
}
