using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace NetflixRec.Training.Data.Store;

/// <summary>Conversions between our columns and Arrow arrays, and row permutation of a record batch.</summary>
public static class ArrowColumns
{
    /// <summary>An Arrow column over <paramref name="values"/> without copying: the array must not change while the column lives.</summary>
    public static Int32Array Int32(ReadOnlyMemory<int> values) => new(new ArrowBuffer(BytesOf<int>.View(values)), ArrowBuffer.Empty, values.Length, 0, 0);

    public static Int16Array Int16(ReadOnlyMemory<short> values) => new(new ArrowBuffer(BytesOf<short>.View(values)), ArrowBuffer.Empty, values.Length, 0, 0);

    public static UInt8Array UInt8(ReadOnlyMemory<byte> values) => new(new ArrowBuffer(values), ArrowBuffer.Empty, values.Length, 0, 0);

    public static FloatArray Float(ReadOnlyMemory<float> values) => new(new ArrowBuffer(BytesOf<float>.View(values)), ArrowBuffer.Empty, values.Length, 0, 0);

    /// <summary>The values of a non-null fixed-width column, by name, checked against the expected type.</summary>
    public static ReadOnlySpan<T> Values<T>(RecordBatch batch, string column)
        where T : struct, IEquatable<T>
    {
        IArrowArray array = batch.Column(column)
            ?? throw new InvalidDataException($"record batch has no column '{column}'");
        return array switch
        {
            PrimitiveArray<T> typed when typed.NullCount == 0 => typed.Values,
            PrimitiveArray<T> => throw new InvalidDataException($"column '{column}' has nulls"),
            _ => throw new InvalidDataException($"column '{column}' is {array.Data.DataType.Name}, expected {typeof(T).Name}"),
        };
    }

    /// <summary>A new batch whose row i is row <c>order[i]</c> of <paramref name="batch"/> (fixed-width non-null columns).</summary>
    public static RecordBatch Permute(RecordBatch batch, ReadOnlySpan<int> order)
    {
        var columns = new IArrowArray[batch.ColumnCount];
        for (int c = 0; c < batch.ColumnCount; c++)
        {
            IArrowArray column = batch.Column(c);
            columns[c] = column.Data.DataType.TypeId switch
            {
                ArrowTypeId.Int32 => Int32(Gather(((Int32Array)column).Values, order)),
                ArrowTypeId.Int16 => Int16(Gather(((Int16Array)column).Values, order)),
                ArrowTypeId.UInt8 => UInt8(Gather(((UInt8Array)column).Values, order)),
                ArrowTypeId.Float => Float(Gather(((FloatArray)column).Values, order)),
                _ => throw new NotSupportedException($"cannot permute a {column.Data.DataType.Name} column"),
            };
        }

        return new RecordBatch(batch.Schema, columns, batch.Length);
    }

    private static T[] Gather<T>(ReadOnlySpan<T> values, ReadOnlySpan<int> order)
    {
        var result = new T[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            result[i] = values[order[i]];
        }

        return result;
    }
}
