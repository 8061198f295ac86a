using System.Runtime.Intrinsics;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;

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

    /// <summary>
    /// The product followed by the reverse cumulative sum over the levels — the gradient of GC-MC's ordinal weight sharing,
    /// the same floats as <see cref="Multiply(ReadOnlyMemory{float}, Memory{float}, int)"/> then
    /// <see cref="GcmcAdjacency.ReverseCumulativeSum"/> (in double, rounded once per level) — handed row n by row n to
    /// <paramref name="step"/> (the parameter's rows l·N + n): the parameter is updated while each row's gradient is in
    /// cache, and no gradient table (614 MB at Netflix size) is written or read. Every row n is visited, so rows without
    /// entries take their zero gradient, as a whole-table step gives them.
    /// </summary>
    /// <param name="width">The SIMD width of the sum over the levels (tests run every width; callers take <see cref="SimdWidths.Best"/>).</param>
    internal void StepReverseCumulative(SimdWidth width, nint g, long gLength, InBackwardAdam.RowStep step, int columns)
    {
        CheckShapes(gLength, step.Values, columns);
        NativeProduct.InParts(_chunkStarts.Length - 1, Threads, g, gLength, 0, 0, columns, (chunk, input, _, d) =>
        {
            var levelRows = new float[Levels * d];
            var gradient = new float[Levels * d];
            var rows = new long[Levels];
            int count = Other.RowCount;
            for (int n = _chunkStarts[chunk]; n < _chunkStarts[chunk + 1]; n++)
            {
                Array.Clear(levelRows);
                SumRow(n, input, levelRows, slot: 0, stride: 1, d);
                ReverseCumulativeRow(width, levelRows, gradient, Levels, d);
                for (int l = 0; l < Levels; l++)
                {
                    rows[l] = ((long)l * count) + n;
                }

                step.Update(gradient, rows, d);
            }
        });
    }

    // B's rows n of one chunk write the output rows l·N + n (all levels): no other thread touches them.
    private void MultiplyChunk(int chunk, ReadOnlySpan<float> input, Span<float> output, int columns)
    {
        int rows = Other.RowCount;
        for (int n = _chunkStarts[chunk]; n < _chunkStarts[chunk + 1]; n++)
        {
            for (int l = 0; l < Levels; l++)
            {
                output.Slice(((l * rows) + n) * columns, columns).Clear();
            }

            SumRow(n, input, output, slot: n, stride: rows, columns);
        }
    }

    // Adds row n of B's terms into the level rows (l·stride + slot) of output, which the caller cleared.
    private void SumRow(int n, ReadOnlySpan<float> input, Span<float> output, int slot, int stride, int columns)
    {
        ReadOnlySpan<long> offsets = Other.RowOffsets.Span;
        ReadOnlySpan<int> indices = Other.Columns.Span;
        ReadOnlySpan<float> values = Other.Values.Span;

        // ByLevel's rows ascend, so their levels do too: each run of one level's entries is summed into its level row, held
        // in registers across the run (RegisterGather); any order still sums right, in more and shorter runs.
        int end = (int)offsets[n + 1];
        for (int start = (int)offsets[n]; start < end;)
        {
            int level = indices[start] / _otherNodes, levelStart = level * _otherNodes, stop = start + 1;
            while (stop < end && indices[stop] >= levelStart && indices[stop] < levelStart + _otherNodes)
            {
                stop++;
            }

            Span<float> row = output.Slice(((level * stride) + slot) * columns, columns);
            // Every column of the run lies in [levelStart, levelStart + K): input rows 0..K−1, which CheckShapes gave G.
            int done = RegisterGather.AccumulateInRange(SimdWidths.Best, input, indices[start..stop], values[start..stop], row, columns, levelStart);
            for (int e = start; done < columns && e < stop; e++)
            {
                ScaledRowAdd.Apply(input.Slice(((indices[e] - levelStart) * columns) + done, columns - done), values[e], row[done..]);
            }

            start = stop;
        }
    }

    // gradient[l] = Σ_{s≥l} levelRows[s], summed from the last level down in double and rounded once per level.
    private static void ReverseCumulativeRow(SimdWidth width, ReadOnlySpan<float> levelRows, Span<float> gradient, int levels, int columns)
    {
        int k = 0;
        if (width != SimdWidth.Scalar)
        {
            for (; k + Vector256<float>.Count <= columns; k += Vector256<float>.Count)
            {
                Vector256<double> lower = Vector256<double>.Zero, upper = Vector256<double>.Zero;
                for (int l = levels - 1; l >= 0; l--)
                {
                    (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.Create(levelRows.Slice((l * columns) + k, Vector256<float>.Count)));
                    lower += lo;
                    upper += hi;
                    Vector256.Narrow(lower, upper).CopyTo(gradient.Slice((l * columns) + k, Vector256<float>.Count));
                }
            }
        }

        for (; k < columns; k++)
        {
            double sum = 0;
            for (int l = levels - 1; l >= 0; l--)
            {
                sum += levelRows[(l * columns) + k];
                gradient[(l * columns) + k] = (float)sum;
            }
        }
    }
}
