using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// The sampled dense–dense product (SDDMM) of the masked autoencoders' output layer: p_e = code[row_e] · table[column_e]
/// for each entry e of a CSR pattern (batch rows × gathered table rows: the observed ratings), differentiable with respect
/// to both. The backward is two CSR products with the pattern's values set to ∂L/∂p: ∂L/∂code = G·table and
/// ∂L/∂table = Gᵀ·code (<see cref="SparseKernel"/>), each output row written by one thread. torch's formulation gathers
/// [entries, width] copies of both sides, multiplies them into a third and sums it, and its backward multiplies two more
/// and scatters them back: five fresh tensors of 32 MB per item-based AutoRec step at full (65,536 ratings × 128), each
/// faulted in and zeroed by the kernel. The floats differ from torch's in the order the products are summed.
/// </summary>
internal static class SampledDotProduct
{
    // Entries per forward part: each part writes its own outputs, so the result does not depend on the thread count.
    private const int EntriesPerPart = 4096;

    /// <summary>
    /// p_e = code[row_e] · table[column_e] for the entries of <paramref name="pattern"/> (its values are ignored); code is
    /// [pattern rows, d], table [pattern columns, d], both float32 on the CPU.
    /// </summary>
    public static Tensor Apply(SparseMatrix pattern, Tensor code, Tensor table, int threads) =>
        Function.apply(new Pattern(pattern, Math.Max(1, threads)), code, table);

    /// <summary>The forward values at a given SIMD width (tests run every width).</summary>
    internal static unsafe float[] Forward(SparseMatrix pattern, float[] code, float[] table, int width, int threads, SimdWidth simd)
    {
        var output = new float[pattern.NonZeros];
        fixed (float* c = code, t = table, p = output)
        {
            Forward(pattern, (nint)c, (nint)t, (nint)p, width, threads, simd);
        }

        return output;
    }

    private static unsafe void Forward(SparseMatrix pattern, nint code, nint table, nint output, int width, int threads, SimdWidth simd)
    {
        long entries = pattern.NonZeros;
        int parts = (int)((entries + EntriesPerPart - 1) / EntriesPerPart);
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            ReadOnlySpan<long> offsets = pattern.RowOffsets.Span;
            ReadOnlySpan<int> columns = pattern.Columns.Span;
            long from = (long)part * EntriesPerPart, to = Math.Min(entries, from + EntriesPerPart);
            // The row of the part's first entry: the last row starting at or before it.
            int found = offsets.BinarySearch(from);
            int row = found >= 0 ? found : ~found - 1;
            for (long e = from; e < to; e++)
            {
                while (offsets[row + 1] <= e)
                {
                    row++;
                }

                ((float*)output)[e] = RowDot(simd, (float*)code + ((long)row * width), (float*)table + ((long)columns[(int)e] * width), width);
            }
        });
    }

    /// <summary>x · y over <paramref name="n"/> floats: one accumulator per lane, lanes summed at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe float RowDot(SimdWidth simd, float* x, float* y, int n)
    {
        int j = 0;
        float sum = 0;
        if (simd == SimdWidth.Vector512)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; j + Vector512<float>.Count <= n; j += Vector512<float>.Count)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(x + j), Vector512.Load(y + j), acc);
            }

            sum = Vector512.Sum(acc);
        }
        else if (simd == SimdWidth.Vector256)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; j + Vector256<float>.Count <= n; j += Vector256<float>.Count)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + j), Vector256.Load(y + j), acc);
            }

            sum = Vector256.Sum(acc);
        }

        for (; j < n; j++)
        {
            sum = MathF.FusedMultiplyAdd(x[j], y[j], sum);
        }

        return sum;
    }

    private static Tensor Checked(Tensor x, string name)
    {
        if (x.dtype != ScalarType.Float32 || x.dim() != 2 || x.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"sampled product: {name} must be a 2-D float32 CPU tensor, got {x.dtype} with {x.dim()} dimensions on {x.device}");
        }

        return x.detach().contiguous();
    }

    /// <summary>The pattern and its transpose (built once per batch, for the backward).</summary>
    private sealed class Pattern(SparseMatrix matrix, int threads)
    {
        public SparseMatrix Matrix => matrix;

        public int Threads => threads;

        public (SparseMatrix Transposed, int[] Position) Transposed { get; } = SparseKernel.TransposeWithPositions(matrix);
    }

    private sealed record Inputs(Pattern Pattern, Tensor Code, Tensor Table);

    private sealed class Function : TorchSharp.torch.autograd.SingleTensorFunction<Function>
    {
        private const string InputsKey = "inputs";

        public override string Name => nameof(SampledDotProduct);

        public override unsafe Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var pattern = (Pattern)vars[0];
            var code = (Tensor)vars[1];
            var table = (Tensor)vars[2];
            SparseMatrix m = pattern.Matrix;
            using Tensor c = Checked(code, "code"), t = Checked(table, "table");
            if (c.shape[0] != m.RowCount || t.shape[0] != m.ColumnCount || c.shape[1] != t.shape[1])
            {
                throw new ArgumentException($"sampled product: pattern {m.RowCount}×{m.ColumnCount}, code {c.shape[0]}×{c.shape[1]}, table {t.shape[0]}×{t.shape[1]}");
            }

            // In a holder: TorchSharp prints a warning for tensors put in save_data. The caller's scope keeps them alive.
            ctx.save_data(InputsKey, new Inputs(pattern, code, table));
            Tensor output = empty(m.NonZeros, ScalarType.Float32);
            fixed (byte* cp = c.bytes, tp = t.bytes, op = output.bytes)
            {
                SampledDotProduct.Forward(m, (nint)cp, (nint)tp, (nint)op, (int)c.shape[1], pattern.Threads, SimdWidths.Best);
            }

            return output;
        }

        public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (Pattern pattern, Tensor code, Tensor table) = (Inputs)ctx.get_data(InputsKey);
            float[] g = TorchRuntime.ToArray(grad_output);
            SparseMatrix m = pattern.Matrix;
            (SparseMatrix transposed, int[] position) = pattern.Transposed;
            var transposedValues = new float[g.Length];
            for (int e = 0; e < g.Length; e++)
            {
                transposedValues[position[e]] = g[e];
            }

            var forCode = new SparseKernel(m with { Values = g }, pattern.Threads);
            var forTable = new SparseKernel(transposed with { Values = transposedValues }, pattern.Threads);
            Tensor codeGradient = NativeProduct.Run(forCode, table);
            using Tensor? kept = KeptGradient.Of(table);
            if (kept is null)
            {
                return [null!, codeGradient, NativeProduct.Run(forTable, code)];
            }

            NativeProduct.AddInto(forTable, code, kept);
            return [null!, codeGradient, null!];
        }
    }
}
