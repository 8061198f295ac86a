using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// One mini-batch of rows (users, or movies for the item-based model) of a sparse rating matrix, in coordinate form:
/// entry e is (row <see cref="EntryRow"/>[e] of the batch, column <see cref="Columns"/>[<see cref="EntryColumn"/>[e]],
/// rating <see cref="Values"/>[e]); batch row r is row <see cref="RowIds"/>[r] of the matrix. Columns are renumbered to the distinct columns the batch touches, so a model
/// gathers only those rows of its input and output tables: memory is O(entries × width), never rows × all columns.
/// </summary>
public sealed record SparseBatch(long[] RowIds, long[] Columns, long[] EntryRow, long[] EntryColumn, float[] Values)
{
    public int Rows => RowIds.Length;

    public int Entries => Values.Length;

    /// <summary>
    /// The batch as a CSR matrix with <paramref name="values"/> as its entries: batch rows × the batch's own columns, or
    /// × <paramref name="globalColumns"/> with each entry at its column's id in the whole matrix. Entries come grouped by
    /// row in row order (<see cref="SparseBatcher.Build"/>), so they are the CSR arrays as they are.
    /// </summary>
    public SparseMatrix ToCsr(float[] values, int? globalColumns = null)
    {
        var offsets = new long[Rows + 1];
        foreach (long row in EntryRow)
        {
            offsets[row + 1]++;
        }

        for (int r = 0; r < Rows; r++)
        {
            offsets[r + 1] += offsets[r];
        }

        int[] columns = globalColumns is null ? [.. EntryColumn.Select(c => (int)c)] : [.. EntryColumn.Select(c => (int)Columns[c])];
        return new SparseMatrix(Rows, globalColumns ?? Columns.Length, offsets, columns, values);
    }
}

/// <summary>Cuts a <see cref="RatingIndex"/> into <see cref="SparseBatch"/>es; reuses one column-renumbering buffer.</summary>
public sealed class SparseBatcher(RatingIndex index, int columns)
{
    private readonly int[] _local = NewLocal(columns);

    public RatingIndex Index => index;

    /// <summary>
    /// Consecutive groups of <paramref name="order"/>: a batch closes at <paramref name="maxRows"/> rows, or before a row
    /// that would take it past <paramref name="maxEntries"/> ratings (a single longer row forms a batch alone). Rows
    /// without ratings are skipped: they carry no loss.
    /// </summary>
    public static IEnumerable<ArraySegment<int>> Groups(RatingIndex index, int[] order, int maxRows, int maxEntries)
    {
        int start = 0;
        while (start < order.Length)
        {
            var rows = new List<int>();
            long entries = 0;
            int next = start;
            for (; next < order.Length && rows.Count < maxRows; next++)
            {
                int count = index.CountOf(order[next]);
                if (count == 0)
                {
                    continue;
                }

                if (rows.Count > 0 && entries + count > maxEntries)
                {
                    break;
                }

                rows.Add(order[next]);
                entries += count;
            }

            start = next;
            if (rows.Count > 0)
            {
                yield return new ArraySegment<int>([.. rows]);
            }
        }
    }

    public SparseBatch Build(ReadOnlySpan<int> rows)
    {
        long total = 0;
        foreach (int row in rows)
        {
            total += index.CountOf(row);
        }

        var entryRow = new long[total];
        var entryColumn = new long[total];
        var values = new float[total];
        var distinct = new List<long>();
        int e = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            ReadOnlySpan<int> cols = index.ColumnsOf(rows[r]);
            ReadOnlySpan<float> ratings = index.RatingsOf(rows[r]);
            for (int j = 0; j < cols.Length; j++, e++)
            {
                int c = cols[j];
                if (_local[c] < 0)
                {
                    _local[c] = distinct.Count;
                    distinct.Add(c);
                }

                entryRow[e] = r;
                entryColumn[e] = _local[c];
                values[e] = ratings[j];
            }
        }

        foreach (long c in distinct)
        {
            _local[c] = -1;
        }

        var rowIds = new long[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            rowIds[r] = rows[r];
        }

        return new SparseBatch(rowIds, [.. distinct], entryRow, entryColumn, values);
    }

    private static int[] NewLocal(int columns)
    {
        var local = new int[columns];
        Array.Fill(local, -1);
        return local;
    }
}

/// <summary>A <see cref="SparseBatch"/> as tensors on the training device (created inside the caller's dispose scope).</summary>
public sealed record SparseBatchTensors(int Rows, Tensor RowIds, Tensor Columns, Tensor EntryRow, Tensor EntryColumn, Tensor Values)
{
    public static SparseBatchTensors From(SparseBatch batch, Device device) => new(
        batch.Rows,
        tensor(batch.RowIds, device: device),
        tensor(batch.Columns, device: device),
        tensor(batch.EntryRow, device: device),
        tensor(batch.EntryColumn, device: device),
        tensor(batch.Values, device: device));
}
