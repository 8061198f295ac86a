namespace NetflixRec.Training.Models;

/// <summary>A named float32 tensor in row-major order: how model parameters are saved and exported.</summary>
public sealed record NamedTensor(string Name, IReadOnlyList<int> Shape, ReadOnlyMemory<float> Data)
{
    public static NamedTensor Vector(string name, ReadOnlyMemory<float> data) => new(name, [data.Length], data);

    public static NamedTensor Matrix(string name, int rows, int columns, ReadOnlyMemory<float> data)
    {
        if ((long)rows * columns != data.Length)
        {
            throw new ArgumentException($"tensor '{name}': {rows}×{columns} needs {(long)rows * columns} values, got {data.Length}", nameof(data));
        }

        return new NamedTensor(name, [rows, columns], data);
    }

    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
