using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// libtorch's own float square root, callable on a few thousand values in cache instead of on a tensor. On x86-64 Linux
/// torch's CPU <c>sqrt</c> is MKL's vector math (<c>vmsSqrt</c>, exported by libtorch_cpu, called as ATen's vml.h calls
/// it), which is not always IEEE's correctly rounded root (on this machine 17 % of random values differ in the last bit),
/// so a kernel that wants torch's floats (<see cref="RowAdam"/>) must take this one. Used only after it has been seen to
/// give torch.sqrt's floats bit for bit, once per process, on values spanning the float range and slices of every
/// length up to a vector's tail; where it does not (another libtorch, another platform) <see cref="Available"/> is false
/// and callers take torch's op on a tensor.
/// </summary>
internal static unsafe class TorchSquareRoot
{
    // ATen's vml.h: high accuracy, denormals kept (FTZ/DAZ off), errors ignored.
    private const long AtenMode = 0x2 | 0x140000 | 0x100;

    private static readonly Lazy<nint> s_function = new(Resolve);

    public static bool Available => s_function.Value != 0;

    /// <summary>values[i] ← √values[i] for i &lt; count, torch's floats. Only when <see cref="Available"/>.</summary>
    public static void InPlace(float* values, int count)
    {
        nint function = s_function.Value;
        if (function == 0)
        {
            throw new InvalidOperationException("torch's square root is not callable here; take torch.sqrt on a tensor");
        }

        ((delegate* unmanaged<int, float*, float*, long, void>)function)(count, values, values, AtenMode);
    }

    /// <summary>The same on a span.</summary>
    public static void InPlace(Span<float> values)
    {
        fixed (float* v = values)
        {
            InPlace(v, values.Length);
        }
    }

    private static nint Resolve()
    {
        if (!OperatingSystem.IsLinux() || !RuntimeInformation.ProcessArchitecture.Equals(Architecture.X64))
        {
            return 0;
        }

        using Tensor loaded = zeros(1); // libtorch is in the process before its exports are looked up
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out nint library)
            || !NativeLibrary.TryGetExport(library, "vmsSqrt", out nint function))
        {
            return 0;
        }

        return GivesTorchFloats(function) ? function : 0;
    }

    // Values from subnormal to near the float maximum, with exact squares and zeros among them, rooted by torch.sqrt over
    // the whole tensor and by the export over slices of lengths 1 to 67 (every tail a vector loop can leave).
    private static bool GivesTorchFloats(nint function)
    {
        const int Count = 1 << 16;
        var random = new Random(20261130);
        var values = new float[Count];
        for (int i = 0; i < Count; i++)
        {
            values[i] = (i % 97) switch
            {
                0 => 0f,
                1 => (float)((i % 4096) * (i % 4096)), // exact squares (below 2²⁴)
                2 => BitConverter.Int32BitsToSingle(random.Next(1, 1 << 23)),
                _ => (float)Math.Exp((random.NextDouble() * 182) - 95), // up to 6·10³⁷
            };
        }

        float[] expected;
        using (Tensor input = tensor(values))
        using (Tensor root = input.sqrt())
        {
            expected = root.data<float>().ToArray();
        }

        var sqrt = (delegate* unmanaged<int, float*, float*, long, void>)function;
        fixed (float* v = values)
        {
            for (int at = 0, length = 1; at < Count; at += length, length = (length % 67) + 1)
            {
                int slice = Math.Min(length, Count - at);
                sqrt(slice, v + at, v + at, AtenMode);
            }
        }

        return MemoryMarshal.Cast<float, int>(values).SequenceEqual(MemoryMarshal.Cast<float, int>(expected));
    }
}
