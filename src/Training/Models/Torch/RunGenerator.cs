using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// A training run's own torch random generator, seeded from its config. The ops that take one (<c>normal_</c>,
/// <c>uniform_</c>, <c>randperm</c>, <c>randn</c>, <c>bernoulli</c>, the <c>nn.init</c> functions) draw from it, so what
/// a run draws does not depend on what other runs in the process drew from libtorch's process-wide default generator.
/// What takes no generator in TorchSharp 0.107 — module constructors' default initialization and
/// <c>nn.functional.dropout</c> — still draws from the default one, which <see cref="TorchRuntime.Configure"/> seeds.
/// </summary>
public static class RunGenerator
{
    /// <summary>A new generator on <paramref name="device"/> seeded with <paramref name="seed"/> (dispose it with the run).</summary>
    public static Generator Create(int seed, Device device) => new(unchecked((ulong)seed), device);
}
