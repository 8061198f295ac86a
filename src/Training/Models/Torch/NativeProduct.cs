using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>A product kernel that reads X and writes Y straight in native buffers (torch storage).</summary>
internal interface INativeProduct
{
    /// <summary>Rows of Y.</summary>
    int OutputRows { get; }

    /// <summary>Writes the product of X (<paramref name="xLength"/> floats) into Y; both row-major with <paramref name="columns"/> values per row.</summary>
    void Multiply(nint x, long xLength, nint y, long yLength, int columns);
}

/// <summary>Runs an <see cref="INativeProduct"/> on a torch tensor: no managed copy of either side.</summary>
internal static class NativeProduct
{
    /// <summary>The kernel's product of <paramref name="x"/> (2-D float32, CPU) as a new tensor.</summary>
    public static unsafe Tensor Run(INativeProduct kernel, Tensor x)
    {
        if (x.dtype != ScalarType.Float32 || x.dim() != 2)
        {
            throw new ArgumentException($"A·X: X must be a 2-D float32 tensor, got {x.dtype} with {x.dim()} dimensions");
        }

        long d = x.shape[1];
        using Tensor input = x.detach().contiguous();
        Tensor output = empty(kernel.OutputRows, d, ScalarType.Float32);
        fixed (byte* source = input.bytes)
        fixed (byte* target = output.bytes)
        {
            kernel.Multiply((nint)source, input.numel(), (nint)target, output.numel(), (int)d);
        }

        return output;
    }
}
