using System.Runtime.Intrinsics;

namespace NetflixRec.Training.Numerics;

/// <summary>
/// The vector width a SIMD kernel runs at. Kernels take <see cref="SimdWidths.Best"/>; tests pass each width explicitly
/// so that every path runs on every machine (a width the CPU does not accelerate runs in software, slowly but correctly).
/// </summary>
internal enum SimdWidth
{
    Scalar,
    Vector256,
    Vector512,
}

internal static class SimdWidths
{
    /// <summary>
    /// The widest width the hardware accelerates: 512 → 256 → scalar. A vector type that is not accelerated is
    /// emulated element by element (about 100× slower than plain scalar code), so it is never chosen.
    /// </summary>
    public static SimdWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : SimdWidth.Scalar;

    /// <summary>Every width, for tests that run each path.</summary>
    public static IReadOnlyList<SimdWidth> All { get; } = [SimdWidth.Scalar, SimdWidth.Vector256, SimdWidth.Vector512];
}
