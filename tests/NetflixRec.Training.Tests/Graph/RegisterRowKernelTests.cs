using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>
/// The register-held gather and push rows against the entry-by-entry <see cref="ScaledRowAdd"/> they replace, at every
/// SIMD width: the same floats, bit for bit, on rows of one strip, several strips and strips with a rest.
/// </summary>
public sealed class RegisterRowKernelTests
{
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (SimdWidth simd in SimdWidths.All)
        {
            foreach (int columns in new[] { 8, 32, 40, 64, 80, 128, 200 })
            {
                cases.Add(simd.ToString(), columns);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gather_RandomEntries_EqualsScaledRowAddsInOrder(string simdName, int columns)
    {
        SimdWidth simd = Enum.Parse<SimdWidth>(simdName);
        var random = new Random(columns);
        float[] x = Values(50 * columns, random);
        int[] entries = [.. Enumerable.Range(0, 37).Select(_ => random.Next(50))]; // repeats included
        float[] values = Values(entries.Length, random);
        float[] start = Values(columns, random);
        float[] expected = (float[])start.Clone();
        for (int e = 0; e < entries.Length; e++)
        {
            ScaledRowAdd.Apply(SimdWidth.Scalar, x.AsSpan(entries[e] * columns, columns), values[e], expected);
        }

        float[] actual = (float[])start.Clone();
        int done = RegisterGather.Accumulate(simd, x, entries, values, actual, columns);
        for (int e = 0; e < entries.Length; e++)
        {
            ScaledRowAdd.Apply(SimdWidth.Scalar, x.AsSpan((entries[e] * columns) + done, columns - done), values[e], actual.AsSpan(done));
        }

        Assert.Equal(expected, actual);
        Assert.Equal(simd == SimdWidth.Scalar ? 0 : columns - (columns % (simd == SimdWidth.Vector512 ? 64 : 32)), done);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Push_RandomEntries_EqualsScaledRowAddsInOrder(string simdName, int columns)
    {
        SimdWidth simd = Enum.Parse<SimdWidth>(simdName);
        var random = new Random(columns + 1);
        const int Shift = 7;
        float[] x = Values(columns, random);
        int[] entries = [.. Enumerable.Range(0, 37).Select(_ => Shift + random.Next(20))]; // repeats included
        float[] values = Values(entries.Length, random);
        float[] start = Values(20 * columns, random);
        float[] expected = (float[])start.Clone();
        for (int e = 0; e < entries.Length; e++)
        {
            ScaledRowAdd.Apply(SimdWidth.Scalar, x, values[e], expected.AsSpan((entries[e] - Shift) * columns, columns));
        }

        float[] actual = (float[])start.Clone();
        int done = RegisterPush.Scatter(simd, x, entries, values, actual, Shift, columns);
        for (int e = 0; e < entries.Length; e++)
        {
            ScaledRowAdd.Apply(SimdWidth.Scalar, x.AsSpan(done), values[e], actual.AsSpan(((entries[e] - Shift) * columns) + done, columns - done));
        }

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gather_ShiftedColumns_EqualsTheUnshiftedGather(string simdName, int columns)
    {
        // GC-MC's level runs: columns l·K + t read input row t.
        SimdWidth simd = Enum.Parse<SimdWidth>(simdName);
        var random = new Random(columns + 2);
        const int Shift = 3 * 50;
        float[] x = Values(50 * columns, random);
        int[] rows = [.. Enumerable.Range(0, 21).Select(_ => random.Next(50))];
        float[] values = Values(rows.Length, random);
        float[] expected = new float[columns], actual = new float[columns];

        int done = RegisterGather.Accumulate(simd, x, rows, values, expected, columns);
        int shiftedDone = RegisterGather.Accumulate(simd, x, [.. rows.Select(r => r + Shift)], values, actual, columns, Shift);

        Assert.Equal(done, shiftedDone);
        Assert.Equal(expected, actual);
        Assert.Throws<ArgumentOutOfRangeException>(() => RegisterGather.Accumulate(simd, x, [Shift - 1], [1f], actual, columns, Shift));
    }

    [Fact]
    public void Gather_EntryOutsideTheInput_ThrowsNamingTheColumns()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            RegisterGather.Accumulate(SimdWidths.Best, new float[3 * 64], [0, 3], [1f, 1f], new float[64], 64));

        Assert.Contains("0..3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Push_EntryOutsideTheOutput_ThrowsNamingTheColumns()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            RegisterPush.Scatter(SimdWidths.Best, new float[64], [4, 5], [1f, 1f], new float[2 * 64], shift: 5, 64));

        Assert.Contains("4..5", error.Message, StringComparison.Ordinal);
    }

    private static float[] Values(int count, Random random) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
}
