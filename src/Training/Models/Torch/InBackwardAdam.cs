using NetflixRec.Training.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Adam for one CPU parameter whose gradient a custom backward produces row by row, each row whole and once per step
/// (GC-MC's users' level weights, from <see cref="Graph.LevelTransposeKernel"/>): each row is updated as soon as its
/// gradient is known, so the parameter has no gradient table — 614 MB at Netflix size, zeroed, written and read again by
/// <see cref="FusedAdam"/> every step. The update is <see cref="FusedAdam"/>'s to the bit (the same kernel on the same
/// values, bias-corrected by this parameter's own step count). The parameter changes during the backward, so nothing
/// else in that backward may read it.
/// </summary>
public sealed class InBackwardAdam : IDisposable
{
    private readonly Tensor _m;
    private readonly Tensor _v;
    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    public InBackwardAdam(Parameter weight, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.device_type != DeviceType.CPU || weight.dtype != ScalarType.Float32 || !weight.is_contiguous())
        {
            throw new ArgumentException($"in-backward Adam: the parameter must be a contiguous float32 CPU tensor, got {weight.dtype} on {weight.device}");
        }

        Weight = weight;
        _m = zeros_like(weight).DetachFromDisposeScope();
        _v = zeros_like(weight).DetachFromDisposeScope();
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
    }

    public Parameter Weight { get; }

    /// <summary>Steps begun so far.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Begins one step (once per backward, before its rows): its constants and where the three tables lie. Their storage is
    /// libtorch's, which does not move, so the addresses hold for the whole backward.
    /// </summary>
    internal unsafe RowStep Begin()
    {
        AdamStepConstants constants = AdamStepConstants.For(_beta1, _beta2, _epsilon, _learningRate, _weightDecay, ++Steps);
        fixed (byte* w = Weight.bytes, m = _m.bytes, v = _v.bytes)
        {
            return new RowStep((nint)w, (nint)m, (nint)v, Weight.numel(), constants);
        }
    }

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
    }

    /// <summary>One step's update of given rows; threads may update disjoint rows at once.</summary>
    internal readonly record struct RowStep(nint Weight, nint M, nint V, long Values, AdamStepConstants Constants)
    {
        /// <summary>Updates rows <paramref name="rows"/> (distinct) of <paramref name="width"/> values with their gradient rows, one per entry.</summary>
        public unsafe void Update(ReadOnlySpan<float> gradient, ReadOnlySpan<long> rows, int width)
        {
            if (gradient.Length != rows.Length * width)
            {
                throw new ArgumentException($"{gradient.Length} gradient values for {rows.Length} rows of {width}");
            }

            foreach (long row in rows)
            {
                if (row < 0 || (row + 1) * width > Values)
                {
                    throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} of {width} values lies outside the parameter's {Values}");
                }
            }

            fixed (float* g = gradient)
            fixed (long* r = rows)
            {
                RowAdamKernel.StepOnThisThread((float*)Weight, (float*)M, (float*)V, g, r, rows.Length, width, Constants, SimdWidths.Best);
            }
        }
    }
}
