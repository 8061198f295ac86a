using System.Numerics.Tensors;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Y = A·X for a CSR matrix A and a dense row-major X with <c>columns</c> values per row, rows split across threads in
/// chunks of about equal non-zeros. Each output row is a sum of scaled input rows (one SIMD multiply-add per non-zero, the
/// row held in registers across its entries: <see cref="RegisterGather"/>), written by exactly one thread, so the result
/// does not depend on the thread count.
/// </summary>
public sealed class SparseKernel : INativeProduct
{
    // Non-zeros ahead whose row is prefetched (ScaledRowAdd.Prefetch): at Netflix size, single-threaded products over
    // the user rows took 0.41 s (gather) and 0.32 s (push) with 4, against 0.51 and 0.39 s without (best of five, shared machine).
    internal const int PrefetchDistance = 4;

    private readonly int[] _chunkStarts;

    public SparseKernel(SparseMatrix matrix, int threads)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        // Every column checked once here, so that the products index their input rows unchecked (a vectorized check of
        // every row in every product was 3 % of LightGCN's step).
        ReadOnlySpan<int> columns = matrix.Columns.Span;
        if (!columns.IsEmpty && (TensorPrimitives.Min(columns) < 0 || TensorPrimitives.Max(columns) >= matrix.ColumnCount))
        {
            throw new ArgumentException($"CSR: columns {TensorPrimitives.Min(columns)}..{TensorPrimitives.Max(columns)} outside 0..{matrix.ColumnCount - 1}", nameof(matrix));
        }

        Matrix = matrix;
        Threads = Math.Max(1, threads);
        _chunkStarts = Partition(matrix, Threads * 8);
    }

    public SparseMatrix Matrix { get; }

    public int Threads { get; }

    int INativeProduct.OutputRows => Matrix.RowCount;

    void INativeProduct.Multiply(nint x, long xLength, nint y, long yLength, int columns) => Multiply(x, xLength, y, yLength, columns);

    /// <summary>Writes A·X into <paramref name="y"/> (RowCount × columns); <paramref name="x"/> is ColumnCount × columns.</summary>
    public void Multiply(ReadOnlyMemory<float> x, Memory<float> y, int columns) => NativeProduct.InParts(this, x, y, columns);

    /// <summary>
    /// The same product over native buffers (a torch tensor's storage), so the operands are never copied into managed
    /// arrays; the caller keeps both buffers alive and unaliased for the call.
    /// </summary>
    internal void Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        CheckShapes(xLength, yLength, columns);
        NativeProduct.InParts(_chunkStarts.Length - 1, Threads, x, xLength, y, yLength, columns,
            (chunk, input, output, width) => MultiplyChunk(chunk, input, output, width, add: false));
    }

    /// <summary>
    /// Rows <paramref name="rows"/> of A·X only (distinct), each with the floats of the whole product; Y's other rows are
    /// left as they are.
    /// </summary>
    internal void MultiplyRows(nint x, long xLength, nint y, long yLength, int columns, int[] rows)
    {
        CheckShapes(xLength, yLength, columns);
        const int RowsPerPart = 256;
        NativeProduct.InParts((rows.Length + RowsPerPart - 1) / RowsPerPart, Threads, x, xLength, y, yLength, columns, (part, input, output, width) =>
        {
            for (int i = part * RowsPerPart; i < Math.Min(rows.Length, (part + 1) * RowsPerPart); i++)
            {
                MultiplyRow(rows[i], input, output, width, add: false);
            }
        });
    }

    /// <summary>Y ← Y + A·X over native buffers (a gradient kept in place, <see cref="KeptGradient"/>).</summary>
    internal void MultiplyAdd(nint x, long xLength, nint y, long yLength, int columns)
    {
        CheckShapes(xLength, yLength, columns);
        NativeProduct.InParts(_chunkStarts.Length - 1, Threads, x, xLength, y, yLength, columns,
            (chunk, input, output, width) => MultiplyChunk(chunk, input, output, width, add: true));
    }

    private void CheckShapes(long xLength, long yLength, int columns)
    {
        if (xLength != (long)Matrix.ColumnCount * columns || yLength != (long)Matrix.RowCount * columns)
        {
            throw new ArgumentException($"A·X: A is {Matrix.RowCount}×{Matrix.ColumnCount}, X has {xLength} values, Y {yLength}, {columns} columns");
        }
    }

    // Output rows of one chunk: each row is written by exactly one thread.
    private void MultiplyChunk(int chunk, ReadOnlySpan<float> input, Span<float> output, int columns, bool add)
    {
        for (int r = _chunkStarts[chunk]; r < _chunkStarts[chunk + 1]; r++)
        {
            MultiplyRow(r, input, output, columns, add);
        }
    }

    private void MultiplyRow(int r, ReadOnlySpan<float> input, Span<float> output, int columns, bool add)
    {
        ReadOnlySpan<long> offsets = Matrix.RowOffsets.Span;
        ReadOnlySpan<int> indices = Matrix.Columns.Span;
        ReadOnlySpan<float> values = Matrix.Values.Span;
        Span<float> row = output.Slice(r * columns, columns);
        if (!add)
        {
            row.Clear();
        }

        int start = (int)offsets[r], end = (int)offsets[r + 1];
        int done = RegisterGather.AccumulateInRange(SimdWidths.Best, input, indices[start..end], values[start..end], row, columns, shift: 0);
        if (done == columns)
        {
            return;
        }

        Span<float> rest = row[done..];
        for (int e = start; e < end; e++)
        {
            if (done == 0 && e + PrefetchDistance < end)
            {
                ScaledRowAdd.Prefetch(input, indices[e + PrefetchDistance] * columns, columns);
            }

            ScaledRowAdd.Apply(input.Slice((indices[e] * columns) + done, columns - done), values[e], rest);
        }
    }

    /// <summary>Aᵀ in CSR (a counting sort by column), for the backward product.</summary>
    public static SparseMatrix Transpose(SparseMatrix a) => TransposeWithPositions(a).Transposed;

    /// <summary>
    /// Aᵀ, and the same transposition of <paramref name="second"/>: the values of a second matrix with A's pattern (empty:
    /// none), so two matrices that share a pattern are transposed in one sort.
    /// </summary>
    internal static (SparseMatrix Transposed, float[] Second) Transpose(SparseMatrix a, ReadOnlySpan<float> second)
    {
        (SparseMatrix transposed, int[] position) = TransposeWithPositions(a);
        float[] secondValues = second.IsEmpty ? [] : new float[position.Length];
        for (int e = 0; e < secondValues.Length; e++)
        {
            secondValues[position[e]] = second[e];
        }

        return (transposed, secondValues);
    }

    /// <summary>Aᵀ, and where each entry of A lands in it (so values of the same pattern can follow without another sort).</summary>
    internal static (SparseMatrix Transposed, int[] Position) TransposeWithPositions(SparseMatrix a)
    {
        var offsets = new long[a.ColumnCount + 1];
        ReadOnlySpan<int> columns = a.Columns.Span;
        foreach (int c in columns)
        {
            offsets[c + 1]++;
        }

        for (int c = 0; c < a.ColumnCount; c++)
        {
            offsets[c + 1] += offsets[c];
        }

        var fill = (long[])offsets.Clone();
        var rows = new int[columns.Length];
        var values = new float[columns.Length];
        var position = new int[columns.Length];
        ReadOnlySpan<long> rowOffsets = a.RowOffsets.Span;
        ReadOnlySpan<float> source = a.Values.Span;
        for (int r = 0; r < a.RowCount; r++)
        {
            for (long e = rowOffsets[r]; e < rowOffsets[r + 1]; e++)
            {
                long at = fill[columns[(int)e]]++;
                rows[at] = r;
                values[at] = source[(int)e];
                position[e] = (int)at;
            }
        }

        return (new SparseMatrix(a.ColumnCount, a.RowCount, offsets, rows, values), position);
    }

    // Row boundaries of about nnz/parts non-zeros each (plus one row's worth of weight so empty rows still split).
    internal static int[] Partition(SparseMatrix matrix, int parts)
    {
        ReadOnlySpan<long> offsets = matrix.RowOffsets.Span;
        long total = offsets[^1] + matrix.RowCount;
        var starts = new List<int> { 0 };
        for (int p = 1; p < parts; p++)
        {
            long target = total * p / parts;
            int lo = starts[^1], hi = matrix.RowCount;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (offsets[mid] + mid < target)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo > starts[^1] && lo < matrix.RowCount)
            {
                starts.Add(lo);
            }
        }

        starts.Add(matrix.RowCount);
        return [.. starts];
    }
}
