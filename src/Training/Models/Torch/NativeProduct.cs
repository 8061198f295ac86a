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

/// <summary>One independent part of a kernel's product (a range of output rows), over the whole of X and Y.</summary>
internal delegate void ProductPart(int part, ReadOnlySpan<float> x, Span<float> y, int columns);

/// <summary>Runs an <see cref="INativeProduct"/> on a torch tensor: no managed copy of either side.</summary>
internal static class NativeProduct
{
    /// <summary>
    /// Runs <paramref name="parts"/> parts of a product on up to <paramref name="threads"/> threads over native buffers
    /// (spans of at most int.MaxValue values); each part writes its own output rows.
    /// </summary>
    public static unsafe void InParts(int parts, int threads, nint x, long xLength, nint y, long yLength, int columns, ProductPart part)
    {
        if (xLength > int.MaxValue || yLength > int.MaxValue)
        {
            throw new ArgumentException($"product: {Math.Max(xLength, yLength)} values exceed one span; split the columns");
        }

        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, p =>
            part(p, new ReadOnlySpan<float>((void*)x, (int)xLength), new Span<float>((void*)y, (int)yLength), columns));
    }

    /// <summary>The same over managed memory, pinned for the call (tests, and callers holding arrays).</summary>
    public static unsafe void InParts(INativeProduct kernel, ReadOnlyMemory<float> x, Memory<float> y, int columns)
    {
        using System.Buffers.MemoryHandle xs = x.Pin(), ys = y.Pin();
        kernel.Multiply((nint)xs.Pointer, x.Length, (nint)ys.Pointer, y.Length, columns);
    }

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

    /// <summary>target ← target + A·x for a 2-D float32 CPU x and a contiguous float32 target of A's output shape.</summary>
    public static unsafe void AddInto(SparseKernel kernel, Tensor x, Tensor target)
    {
        if (x.dtype != ScalarType.Float32 || x.dim() != 2 || target.dtype != ScalarType.Float32 || !target.is_contiguous())
        {
            throw new ArgumentException($"Y += A·X: X must be a 2-D float32 tensor and Y contiguous float32, got {x.dtype} and {target.dtype}");
        }

        using Tensor input = x.detach().contiguous();
        fixed (byte* source = input.bytes)
        fixed (byte* destination = target.bytes)
        {
            kernel.MultiplyAdd((nint)source, input.numel(), (nint)destination, target.numel(), (int)x.shape[1]);
        }
    }
}
