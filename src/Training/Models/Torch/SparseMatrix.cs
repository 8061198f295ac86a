using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// A sparse float matrix in compressed sparse rows (row r's entries are <c>RowOffsets[r]..RowOffsets[r+1]</c>; columns
/// ascending in the graph's adjacencies, in sampling order with repeats in sage's sampled blocks, where repeated entries
/// add up), built in managed arrays and handed to TorchSharp as a COO tensor (rows sorted) for <c>mm</c>. Only the
/// non-zeros are ever materialized: 12 bytes per entry here, 20 in the torch tensor (int64 row and column, float value).
/// </summary>
public sealed record SparseMatrix(int RowCount, int ColumnCount, ReadOnlyMemory<long> RowOffsets, ReadOnlyMemory<int> Columns, ReadOnlyMemory<float> Values)
{
    public long NonZeros => Columns.Length;

    /// <summary>The matrix as a torch sparse COO tensor on <paramref name="device"/>, indices in row-major order.</summary>
    public Tensor ToTorch(Device device)
    {
        long nnz = NonZeros;
        var indices = new long[2 * nnz];
        ReadOnlySpan<long> offsets = RowOffsets.Span;
        ReadOnlySpan<int> columns = Columns.Span;
        for (int r = 0; r < RowCount; r++)
        {
            for (long e = offsets[r]; e < offsets[r + 1]; e++)
            {
                indices[e] = r;
                indices[nnz + e] = columns[(int)e];
            }
        }

        using var scope = torch.NewDisposeScope();
        Tensor index = torch.tensor(indices, [2, nnz], ScalarType.Int64);
        Tensor values = torch.tensor(Values.ToArray(), [nnz], ScalarType.Float32);
        Tensor matrix = torch.sparse_coo_tensor(index, values, [RowCount, ColumnCount]).to(device);
        return matrix.MoveToOuterDisposeScope();
    }

    /// <summary>The dense matrix (row-major); for tests and tiny graphs only.</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)RowCount * ColumnCount];
        ReadOnlySpan<long> offsets = RowOffsets.Span;
        for (int r = 0; r < RowCount; r++)
        {
            for (long e = offsets[r]; e < offsets[r + 1]; e++)
            {
                dense[((long)r * ColumnCount) + Columns.Span[(int)e]] += Values.Span[(int)e];
            }
        }

        return dense;
    }
}
