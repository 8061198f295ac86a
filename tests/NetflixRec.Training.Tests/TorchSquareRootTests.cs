using System.Runtime.InteropServices;
using NetflixRec.Training.Models.Torch;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>libtorch's √ called on a buffer gives torch.sqrt's floats, and is not IEEE's (why RowAdam needs it).</summary>
[Collection(TorchCollection.Name)]
public sealed class TorchSquareRootTests
{
    private static bool LinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    [Fact]
    public void Available_OnLinuxX64()
    {
        // The CPU libtorch this project restores exports MKL's vmsSqrt on x86-64 Linux (where CI runs): losing it would
        // silently put RowAdam back on its two passes.
        if (LinuxX64)
        {
            Assert.True(TorchSquareRoot.Available);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(4096)]
    [InlineData(100_003)]
    public void InPlace_RandomValues_EqualsTorchSqrtBitForBit(int count)
    {
        if (!LinuxX64)
        {
            return; // looked up on x86-64 Linux only (where CI runs)
        }

        var random = new Random(count);
        float[] values = [.. Enumerable.Range(0, count).Select(_ => (float)Math.Exp((random.NextDouble() * 60) - 40))];
        using Tensor input = tensor(values);
        using Tensor expected = input.sqrt();

        TorchSquareRoot.InPlace(values);

        Assert.Equal(expected.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits), values.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void InPlace_IsNotTheCorrectlyRoundedRoot()
    {
        // If it were IEEE's, the kernels could take their own √; this holds for libtorch's MKL root on this project's machines.
        if (!LinuxX64)
        {
            return; // looked up on x86-64 Linux only (where CI runs)
        }

        var random = new Random(7);
        float[] values = [.. Enumerable.Range(0, 10_000).Select(_ => (float)(random.NextDouble() * 100))];
        float[] roots = (float[])values.Clone();
        TorchSquareRoot.InPlace(roots);

        Assert.Contains(Enumerable.Range(0, values.Length), i => roots[i] != MathF.Sqrt(values[i]));
    }
}
