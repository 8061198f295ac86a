using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Torch;

/// <summary>Where a <see cref="PushKernel"/> reads and writes, given an entry's column (level l, target t).</summary>
/// <param name="ColumnBase">Subtracted from every column first (LightGCN's user rows hold movie node ids, Users..Nodes−1).</param>
/// <param name="Levels">L: the shifted column is l·Targets + t (1 for a plain matrix).</param>
/// <param name="Targets">Columns per level: the product's rows (per level, when <paramref name="LevelsInOutput"/>).</param>
/// <param name="LevelsInOutput">
/// false: entry (r, l, t) adds c·X[l·Rows + r] to Y[t] (X is [L, Rows, d] stacked; GC-MC's movie messages).
/// true: it adds c·X[r] to Y[l·Targets + t] (GC-MC's user side backward).
/// </param>
/// <param name="CumulativeInput">X[l·Rows + r] read as Σ_{s≤l} X[s·Rows + r], summed in double (GC-MC's ordinal weight sharing).</param>
public sealed record PushLayout(int ColumnBase, int Levels, int Targets, bool LevelsInOutput, bool CumulativeInput)
{
    /// <summary>Aᵀ·X for a plain matrix whose columns (minus <paramref name="columnBase"/>) are 0..targets−1.</summary>
    public static PushLayout Transpose(int columnBase, int targets) => new(columnBase, 1, targets, false, false);
}

/// <summary>
/// Aᵀ·X (in the generalized sense of <see cref="PushLayout"/>) computed by streaming A's rows in order and pushing each
/// entry's scaled input row into its output row, instead of gathering along Aᵀ's rows. Made for a bipartite graph with
/// many more rows (users) than columns (movies): gathering along a movie's row reads user rows at random from a table far
/// larger than the caches (at Netflix size 123 MB per 64 floats, GC-MC's five levels 614 MB), while pushing reads them
/// once, in order, and writes into the movies' rows, which stay in cache. Each thread owns a range of output rows (split
/// by non-zeros) and walks every row of A, finding its range by binary search (A's rows must ascend within each level),
/// so no two threads write one row and no partial sums are merged: every output row adds its terms in row order
/// whatever the thread count — the order a gather along a transposed CSR with ascending rows uses, so the floats are the
/// same as that product's. Where each part's entries lie in every row and level is found once, when the kernel is built
/// (<see cref="PartBounds"/>), not by binary search in every product; each input row is pushed from registers
/// (<see cref="RegisterPush"/>).
/// </summary>
public sealed class PushKernel : INativeProduct
{
    private readonly int[] _partStarts;

    // Row r, level l: its entries for part p are [_bounds[i + p], _bounds[i + p + 1]) with i = (r·Levels + l)·(parts + 1).
    private readonly int[] _bounds;

    public PushKernel(SparseMatrix a, PushLayout layout, int threads)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Levels < 1 || layout.Targets < 0 || (layout.CumulativeInput && layout.LevelsInOutput))
        {
            throw new ArgumentException($"push layout: {layout.Levels} levels of {layout.Targets} targets, cumulative input {layout.CumulativeInput} with levels in the output {layout.LevelsInOutput}", nameof(layout));
        }

        Matrix = a;
        Layout = layout;
        Threads = Math.Max(1, threads);
        _partStarts = PartitionTargets(CountPerTarget(a, layout), Threads);
        _bounds = PartBounds(a, layout, _partStarts);
    }

    public SparseMatrix Matrix { get; }

    public PushLayout Layout { get; }

    public int Threads { get; }

    public int OutputRows => Layout.LevelsInOutput ? Layout.Levels * Layout.Targets : Layout.Targets;

    public long InputRows => Layout.LevelsInOutput ? Matrix.RowCount : (long)Layout.Levels * Matrix.RowCount;

    /// <summary>Writes the product into <paramref name="y"/> (OutputRows × columns) from <paramref name="x"/> (InputRows × columns).</summary>
    public void Multiply(ReadOnlyMemory<float> x, Memory<float> y, int columns) => NativeProduct.InParts(this, x, y, columns);

    void INativeProduct.Multiply(nint x, long xLength, nint y, long yLength, int columns)
    {
        CheckShapes(xLength, yLength, columns);
        NativeProduct.InParts(_partStarts.Length - 1, Threads, x, xLength, y, yLength, columns,
            (part, input, output, width) => MultiplyPart(part, input, output, width, null));
    }

    /// <summary>
    /// The product when every input row of A's rows outside <paramref name="rows"/> (ascending, distinct) is zero: only those
    /// are pushed. The same floats as the whole product (a zero row adds +0, which changes no sum: one that starts at +0
    /// never becomes −0).
    /// </summary>
    internal unsafe void MultiplyFromRows(ReadOnlyMemory<float> x, Memory<float> y, int columns, int[] rows)
    {
        using System.Buffers.MemoryHandle xs = x.Pin(), ys = y.Pin();
        MultiplyFromRows((nint)xs.Pointer, x.Length, (nint)ys.Pointer, y.Length, columns, rows);
    }

    /// <summary>The same over native buffers.</summary>
    internal void MultiplyFromRows(nint x, long xLength, nint y, long yLength, int columns, int[] rows)
    {
        CheckShapes(xLength, yLength, columns);
        NativeProduct.InParts(_partStarts.Length - 1, Threads, x, xLength, y, yLength, columns,
            (part, input, output, width) => MultiplyPart(part, input, output, width, rows));
    }

    private void CheckShapes(long xLength, long yLength, int columns)
    {
        if (xLength != InputRows * columns || yLength != (long)OutputRows * columns)
        {
            throw new ArgumentException($"Aᵀ·X: X needs {InputRows} rows and Y {OutputRows} of {columns} values; got {xLength} and {yLength} values");
        }
    }

    // Output rows [t0, t1) of every level: this part's alone, pushed from A's rows (all of them, or those listed).
    private void MultiplyPart(int part, ReadOnlySpan<float> input, Span<float> output, int columns, int[]? only)
    {
        int t0 = _partStarts[part], t1 = _partStarts[part + 1];
        PushLayout layout = Layout;
        int levels = layout.Levels, targets = layout.Targets, rows = Matrix.RowCount;
        for (int l = 0; l < (layout.LevelsInOutput ? levels : 1); l++)
        {
            output.Slice(((l * targets) + t0) * columns, (t1 - t0) * columns).Clear();
        }

        if (t0 == t1)
        {
            return;
        }

        ReadOnlySpan<int> indices = Matrix.Columns.Span;
        ReadOnlySpan<float> values = Matrix.Values.Span;
        ReadOnlySpan<int> bounds = _bounds;
        int boundsPerLevel = _partStarts.Length;
        Span<float> cumulative = layout.CumulativeInput ? new float[levels * columns] : [];
        for (int i = 0, count = only?.Length ?? rows; i < count; i++)
        {
            int r = only is null ? i : only[i];
            bool summed = false;
            for (int l = 0; l < levels; l++)
            {
                long at = ((((long)r * levels) + l) * boundsPerLevel) + part;
                int lo = bounds[(int)at], hi = bounds[(int)at + 1];
                if (lo == hi)
                {
                    continue;
                }

                ReadOnlySpan<float> source;
                if (layout.LevelsInOutput)
                {
                    source = input.Slice(r * columns, columns);
                }
                else if (layout.CumulativeInput)
                {
                    if (!summed)
                    {
                        CumulativeRows(input, r, rows, levels, columns, cumulative);
                        summed = true;
                    }

                    source = cumulative.Slice(l * columns, columns);
                }
                else
                {
                    source = input.Slice(((l * rows) + r) * columns, columns);
                }

                // The output row: the shifted column itself when levels are output rows, else its target within the level.
                int shift = layout.ColumnBase + (layout.LevelsInOutput ? 0 : l * targets);
                // The row's columns ascend (checked when the kernel was built), so its first and last bound the run.
                if (indices[lo] - shift < 0 || (long)(indices[hi - 1] - shift + 1) * columns > output.Length)
                {
                    throw new InvalidOperationException($"row {r}: columns {indices[lo]}..{indices[hi - 1]} outside the output");
                }

                int done = RegisterPush.ScatterInRange(SimdWidths.Best, source, indices[lo..hi], values[lo..hi], output, shift, columns);
                if (done < columns)
                {
                    PushRest(source, indices[lo..hi], values[lo..hi], output, shift, columns, done);
                }
            }
        }
    }

    // The columns from `done` on of one input row's push (all of them where no vector strip fits).
    private static void PushRest(ReadOnlySpan<float> source, ReadOnlySpan<int> entries, ReadOnlySpan<float> values, Span<float> output, int shift, int columns, int done)
    {
        int distance = SparseKernel.PrefetchDistance;
        for (int e = 0; e < entries.Length; e++)
        {
            if (done == 0 && e + distance < entries.Length)
            {
                ScaledRowAdd.Prefetch(output, (entries[e + distance] - shift) * columns, columns);
            }

            ScaledRowAdd.Apply(source[done..], values[e], output.Slice(((entries[e] - shift) * columns) + done, columns - done));
        }
    }

    // Row r of every level's running sum over the levels, accumulated in double and rounded once per level, as torch's CPU
    // cumsum does (so the values are torch's); eight columns at a time where 256-bit vectors are accelerated.
    internal static void CumulativeRows(ReadOnlySpan<float> input, int r, int rows, int levels, int columns, Span<float> cumulative) =>
        CumulativeRows(SimdWidths.Best, input, r, rows, levels, columns, cumulative);

    internal static void CumulativeRows(SimdWidth width, ReadOnlySpan<float> input, int r, int rows, int levels, int columns, Span<float> cumulative)
    {
        int k = 0;
        if (width != SimdWidth.Scalar)
        {
            for (; k + Vector256<float>.Count <= columns; k += Vector256<float>.Count)
            {
                Vector256<double> lower = Vector256<double>.Zero, upper = Vector256<double>.Zero;
                for (int l = 0; l < levels; l++)
                {
                    (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.Create(input.Slice((((l * rows) + r) * columns) + k, Vector256<float>.Count)));
                    lower += lo;
                    upper += hi;
                    Vector256.Narrow(lower, upper).CopyTo(cumulative.Slice((l * columns) + k, Vector256<float>.Count));
                }
            }
        }

        for (; k < columns; k++)
        {
            double sum = 0;
            for (int l = 0; l < levels; l++)
            {
                sum += input[(((l * rows) + r) * columns) + k];
                cumulative[(l * columns) + k] = (float)sum;
            }
        }
    }

    // For every row and level, where each part's targets start among the row's entries, and where the last part ends.
    private static int[] PartBounds(SparseMatrix a, PushLayout layout, int[] partStarts)
    {
        int parts = partStarts.Length - 1;
        long length = (long)a.RowCount * layout.Levels * (parts + 1);
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"{a.RowCount} rows × {layout.Levels} levels × {parts + 1} part bounds exceed one array", nameof(a));
        }

        var bounds = new int[length];
        ReadOnlySpan<long> offsets = a.RowOffsets.Span;
        ReadOnlySpan<int> indices = a.Columns.Span;
        int i = 0;
        for (int r = 0; r < a.RowCount; r++)
        {
            int start = (int)offsets[r], end = (int)offsets[r + 1];
            for (int l = 0; l < layout.Levels; l++)
            {
                int levelFirst = layout.ColumnBase + (l * layout.Targets);
                foreach (int t in partStarts)
                {
                    start = LowerBound(indices, start, end, levelFirst + t);
                    bounds[i++] = start;
                }
            }
        }

        return bounds;
    }

    // The first position in [from, to) whose column is at least value (columns ascend there).
    private static int LowerBound(ReadOnlySpan<int> indices, int from, int to, int value)
    {
        while (from < to)
        {
            int mid = (int)((uint)(from + to) >> 1);
            if (indices[mid] < value)
            {
                from = mid + 1;
            }
            else
            {
                to = mid;
            }
        }

        return from;
    }

    // Entries per target (over all levels), checking that every column lies in the layout and each row ascends.
    private static long[] CountPerTarget(SparseMatrix a, PushLayout layout)
    {
        var counts = new long[layout.Targets];
        ReadOnlySpan<long> offsets = a.RowOffsets.Span;
        ReadOnlySpan<int> indices = a.Columns.Span;
        long width = (long)layout.Levels * layout.Targets;
        if (indices.Length > int.MaxValue - 1)
        {
            throw new ArgumentException($"{indices.Length} non-zeros exceed one span", nameof(a));
        }

        for (int r = 0; r < a.RowCount; r++)
        {
            for (long e = offsets[r]; e < offsets[r + 1]; e++)
            {
                long shifted = (long)indices[(int)e] - layout.ColumnBase;
                if ((ulong)shifted >= (ulong)width)
                {
                    throw new ArgumentException($"row {r}: column {indices[(int)e]} outside {layout.ColumnBase}..{layout.ColumnBase + width - 1}", nameof(a));
                }

                if (e > offsets[r] && indices[(int)e] <= indices[(int)e - 1])
                {
                    throw new ArgumentException($"row {r}: columns must ascend ({indices[(int)e - 1]} then {indices[(int)e]})", nameof(a));
                }

                counts[shifted % layout.Targets]++;
            }
        }

        return counts;
    }

    // Target boundaries of about equal entries (plus one per target, so empty targets still split) for each part.
    private static int[] PartitionTargets(long[] counts, int parts)
    {
        long total = counts.Length;
        foreach (long c in counts)
        {
            total += c;
        }

        var starts = new List<int> { 0 };
        long running = 0;
        for (int t = 0; t < counts.Length && starts.Count < parts; t++)
        {
            running += counts[t] + 1;
            if (running * parts >= total * starts.Count && t + 1 < counts.Length)
            {
                starts.Add(t + 1);
            }
        }

        starts.Add(counts.Length);
        return [.. starts];
    }
}
