using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Autoencoders;

[Collection(TorchCollection.Name)]
public sealed class SparseBatcherTests
{
    private static readonly RatingIndex s_index = RatingIndex.ByUser(MfFixtures.Table(
    [
        (0, 5, 4), (0, 2, 3), (1, 2, 5), (3, 7, 1), (3, 5, 2), (3, 0, 3), (4, 1, 4),
    ]), users: 5);

    [Fact]
    public void Groups_RowAndRatingCaps_CloseBatchesAndSkipEmptyRows()
    {
        List<int[]> groups = [.. SparseBatcher.Groups(s_index, [0, 1, 2, 3, 4], maxRows: 2, maxEntries: 3).Select(g => g.ToArray())];

        // Row 2 has no ratings; row 3 (3 ratings) would take {1} past 3 ratings, so it starts a batch of its own.
        Assert.Equal([[0, 1], [3], [4]], groups);
    }

    [Fact]
    public void Build_Rows_RenumbersDistinctColumnsInFirstSeenOrder()
    {
        var batcher = new SparseBatcher(s_index, columns: 8);

        SparseBatch batch = batcher.Build([3, 0]);

        Assert.Equal(2, batch.Rows);
        Assert.Equal([0L, 5, 7, 2], batch.Columns);
        Assert.Equal([0L, 0, 0, 1, 1], batch.EntryRow);
        Assert.Equal([0L, 1, 2, 3, 1], batch.EntryColumn);
        Assert.Equal([3f, 2f, 1f, 3f, 4f], batch.Values);
        Assert.Equal([2L, 5], batcher.Build([1, 0]).Columns);
    }

    [Fact]
    public void ToCsr_LocalOrGlobalColumns_RowsOffsetsAndValuesInEntryOrder()
    {
        SparseBatch batch = new SparseBatcher(s_index, columns: 8).Build([3, 0]);
        float[] values = [10f, 20f, 30f, 40f, 50f];

        SparseMatrix local = batch.ToCsr(values);
        SparseMatrix global = batch.ToCsr(values, globalColumns: 8);

        Assert.Equal((2, 4), (local.RowCount, local.ColumnCount));
        Assert.Equal([0L, 3, 5], local.RowOffsets.ToArray());
        Assert.Equal([0, 1, 2, 3, 1], local.Columns.ToArray());
        Assert.Equal((2, 8), (global.RowCount, global.ColumnCount));
        Assert.Equal([0, 5, 7, 2, 5], global.Columns.ToArray());
        Assert.Equal(values, global.Values.ToArray());
    }
}
