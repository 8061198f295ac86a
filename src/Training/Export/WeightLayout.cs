using System.Runtime.InteropServices;

namespace NetflixRec.Training.Export;

/// <summary>
/// How a factor graph stores its factor matrices (<c>netflixrec export --weights</c>). <see cref="Fp32"/> is the
/// model's own numbers. <see cref="Fp16"/> stores the movie factors as half floats, cast to float inside the graph.
/// <see cref="Int8"/> stores user and movie factors as int8 with one float scale per row (symmetric; the user side as
/// uint8 q + 128 for ONNX Runtime's fast uint8 × int8 kernels, the movie side in 7 bits, see
/// <see cref="WeightLayouts.MovieLevels"/>), scored by an integer product
/// (MatMulInteger) and rescaled: the user side is quantized too because ONNX's integer
/// product takes two integer operands, and per row (not per batch) so a user's scores never depend on their batch.
/// </summary>
public enum WeightLayout
{
    Fp32,
    Fp16,
    Int8,

    /// <summary>
    /// The export default: <see cref="Int8"/> for a factor graph with factors when it passes the gate (measured faster
    /// in serving), else <see cref="Fp32"/> — a model int8 would change too much is exported exact rather than refused.
    /// </summary>
    Auto,
}

/// <summary>An export whose reduced weights fail the parity gate against fp32 (exit 2, the figures in the message).</summary>
public sealed class WeightGateRefusedException(string message) : ArgumentException(message);

/// <summary>Names, parsing and the row quantizers of <see cref="WeightLayout"/>.</summary>
public static class WeightLayouts
{
    public const string Fp32Name = "fp32";

    public const string AutoName = "auto";

    public static string Name(this WeightLayout layout) => layout switch
    {
        WeightLayout.Fp32 => Fp32Name,
        WeightLayout.Fp16 => "fp16",
        WeightLayout.Int8 => "int8",
        WeightLayout.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown weight layout"),
    };

    /// <summary>The layout named by <paramref name="text"/>; anything else is an error naming <paramref name="option"/>.</summary>
    public static WeightLayout Parse(string text, string option) => text switch
    {
        "fp32" => WeightLayout.Fp32,
        "fp16" => WeightLayout.Fp16,
        "int8" => WeightLayout.Int8,
        "auto" => WeightLayout.Auto,
        _ => throw new ArgumentException($"{option}: '{text}' is not a weight layout; use auto, fp32, fp16 or int8"),
    };

    /// <summary>IEEE half floats of <paramref name="values"/> (round to nearest even), as little-endian raw bytes.</summary>
    public static byte[] ToHalfBytes(ReadOnlySpan<float> values)
    {
        var halves = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
    }

    /// <summary>The full int8 range: the user side, stored as uint8.</summary>
    public const int UserLevels = 127;

    /// <summary>
    /// The movie side's range, 7 bits. Without VNNI, ONNX Runtime's uint8 × int8 kernel on AVX2/AVX-512 multiplies with
    /// VPMADDUBSW, which adds two u8·s8 products into a saturating int16: 255·127·2 overflows it, 255·63·2 = 32,130 does
    /// not. The gate runs on the exporting machine, which may have VNNI while the serving one does not, so the graph is
    /// made exact on every x64 kernel rather than measured on one (ONNX Runtime's "reduce_range").
    /// </summary>
    public const int MovieLevels = 63;

    /// <summary>
    /// Symmetric quantization of each row of a [rows, columns] matrix to ±<paramref name="levels"/>: scale = max |x| /
    /// levels and q = round(x / scale), so q·scale is within scale/2 of x. A zero row gets scale 0 and zeros.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) QuantizeRows(ReadOnlySpan<float> matrix, int rows, int columns, int levels = UserLevels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 127);
        if ((long)rows * columns != matrix.Length)
        {
            throw new ArgumentException($"{matrix.Length} values are not a [{rows}, {columns}] matrix", nameof(matrix));
        }

        var values = new sbyte[matrix.Length];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            float max = 0;
            foreach (float x in row)
            {
                max = Math.Max(max, Math.Abs(x));
            }

            if (max == 0 || !float.IsFinite(max))
            {
                // Non-finite weights cannot be quantized; a zero row stays zero.
                if (!float.IsFinite(max))
                {
                    throw new ArgumentException($"row {r} has a non-finite value", nameof(matrix));
                }

                continue;
            }

            float scale = max / levels;
            scales[r] = scale;
            Span<sbyte> target = values.AsSpan(r * columns, columns);
            for (int c = 0; c < columns; c++)
            {
                target[c] = (sbyte)Math.Clamp(MathF.Round(row[c] / scale), -levels, levels);
            }
        }

        return (values, scales);
    }

    /// <summary>The zero point of uint8-stored int8 values: u = q + 128.</summary>
    public const byte UInt8ZeroPoint = 128;

    /// <summary>int8 values as uint8 with <see cref="UInt8ZeroPoint"/> (same numbers for an integer product told the zero point).</summary>
    public static byte[] Offset(ReadOnlySpan<sbyte> values)
    {
        var result = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (byte)(values[i] + UInt8ZeroPoint);
        }

        return result;
    }

    /// <summary>q·scale per row: the matrix an int8 graph really scores with (the exact reference for its tests).</summary>
    public static float[] DequantizeRows(ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales, int columns)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i] * scales[i / columns];
        }

        return result;
    }
}
