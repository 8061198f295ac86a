using System.Numerics.Tensors;
using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// y = x @ Weight + Bias with Weight row-major [Inputs, Outputs] (the ONNX MatMul orientation; the activation is applied by
/// the caller). The first layer of an autoencoder is one of these with Inputs = movies (or users), applied to a sparse
/// rating vector: only the rows of the rated columns are read.
/// </summary>
public sealed record DenseLayer(int Inputs, int Outputs, ReadOnlyMemory<float> Weight, ReadOnlyMemory<float> Bias)
{
    /// <summary>The layer saved as PREFIX.weight [inputs, outputs] and PREFIX.bias; missing or misshapen tensors name the file.</summary>
    public static DenseLayer FromTensors(IReadOnlyList<NamedTensor> tensors, string prefix, string path)
    {
        NamedTensor weight = SafeTensors.Require(tensors, prefix + ".weight", path);
        if (weight.Shape.Count != 2)
        {
            throw new InvalidDataException($"{path}: {prefix}.weight must be a matrix");
        }

        var layer = new DenseLayer(weight.Shape[0], weight.Shape[1], weight.Data, SafeTensors.Require(tensors, prefix + ".bias", path).Data);
        layer.Validate(path);
        return layer;
    }

    public void Validate(string source)
    {
        if (Weight.Length != (long)Inputs * Outputs || Bias.Length != Outputs)
        {
            throw new InvalidDataException($"{source}: a {Inputs}×{Outputs} layer needs {(long)Inputs * Outputs} weights and {Outputs} biases, got {Weight.Length} and {Bias.Length}");
        }
    }

    /// <summary>y = x @ W + b for a dense x.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        Bias.Span.CopyTo(y);
        ReadOnlySpan<float> weight = Weight.Span;
        for (int i = 0; i < Inputs; i++)
        {
            if (x[i] != 0f)
            {
                TensorPrimitives.MultiplyAdd(weight.Slice(i * Outputs, Outputs), x[i], y, y);
            }
        }
    }

    /// <summary>y = x @ W + b for a sparse x given as (column, value) pairs; unlisted columns are 0.</summary>
    public void ApplySparse(ReadOnlySpan<int> columns, ReadOnlySpan<float> values, Span<float> y)
    {
        Bias.Span.CopyTo(y);
        ReadOnlySpan<float> weight = Weight.Span;
        for (int j = 0; j < columns.Length; j++)
        {
            // The rows are scattered over a table far larger than the caches (480,189 × 128 for item-based AutoRec):
            // ask for a later one while this one is added (the same floats as without the hint).
            if (j + SparseKernel.PrefetchDistance < columns.Length)
            {
                ScaledRowAdd.Prefetch(weight, columns[j + SparseKernel.PrefetchDistance] * Outputs, Outputs);
            }

            ScaledRowAdd.Apply(weight.Slice(columns[j] * Outputs, Outputs), values[j], y);
        }
    }
}

/// <summary>
/// The reconstruction layer: score(c) = h · Weight[c] + Bias[c], Weight row-major [Columns, Width], one row per output
/// column (movie, or user for item-based AutoRec) so a training batch gathers just the rows it needs. In ONNX it is
/// MatMul(h, Weightᵀ) + Bias. Identity output: ratings are regressed directly.
/// </summary>
public sealed record OutputLayer(int Columns, int Width, ReadOnlyMemory<float> Weight, ReadOnlyMemory<float> Bias)
{
    public void Validate(string source)
    {
        if (Weight.Length != (long)Columns * Width || Bias.Length != Columns)
        {
            throw new InvalidDataException($"{source}: an output layer of {Columns} columns × {Width} needs {(long)Columns * Width} weights and {Columns} biases, got {Weight.Length} and {Bias.Length}");
        }
    }

    public float Score(ReadOnlySpan<float> code, int column) =>
        TensorPrimitives.Dot(code, Weight.Span.Slice(column * Width, Width)) + Bias.Span[column];
}
