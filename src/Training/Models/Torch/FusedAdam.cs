using NetflixRec.Training.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Adam over whole CPU parameters, updated in place in one fused pass per parameter (<see cref="RowAdamKernel"/> over
/// every row): the update of TorchSharp's Adam (bias-corrected by each parameter's own step count, L2 weight decay added to
/// the gradient as torch's <c>weight_decay</c> does;
/// the same floats except √'s last bit, see the kernel), without the two temporaries the size of each parameter that it
/// allocates per step (√v / √c₂ and its + ε: 1.2 GB for gcmc's user-level weights at full).
/// </summary>
public sealed class FusedAdam : IDisposable
{
    // Rows of this many values (the last one shorter): the kernel splits rows across threads.
    private const int RowWidth = 64;

    private readonly (Parameter Weight, Tensor M, Tensor V)[] _parameters;
    private readonly long[] _steps;
    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    public FusedAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0)
    {
        _parameters = [.. parameters.Select(p =>
        {
            if (p.device_type != DeviceType.CPU || p.dtype != ScalarType.Float32 || !p.is_contiguous())
            {
                throw new ArgumentException($"fused Adam: parameters must be contiguous float32 CPU tensors, got {p.dtype} on {p.device}");
            }

            return (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
        })];
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
        _steps = new long[_parameters.Length];
    }

    /// <summary>Zeroes the gradients (in place, as TorchSharp's optimizers do, so autograd adds into them).</summary>
    public void ZeroGrad()
    {
        foreach ((Parameter weight, _, _) in _parameters)
        {
            using Tensor? grad = weight.grad;
            grad?.zero_();
        }
    }

    /// <summary>One step over every parameter that has a gradient.</summary>
    public unsafe void Step()
    {
        int threads = torch.get_num_threads();
        for (int k = 0; k < _parameters.Length; k++)
        {
            (Parameter weight, Tensor m, Tensor v) = _parameters[k];
            using Tensor? grad = weight.grad;
            if (grad is null)
            {
                continue;
            }

            // As torch's Adam: the bias correction counts the steps this parameter had a gradient.
            AdamStepConstants c = AdamStepConstants.For(_beta1, _beta2, _epsilon, _learningRate, _weightDecay, ++_steps[k]);
            using Tensor g = grad.contiguous();
            // The values as rows of 64 and one shorter row for the rest: element-wise rows (a table of an odd number of
            // 32-float rows) ran the kernel's scalar tail on every value.
            long n = weight.numel(), rows = n / RowWidth;
            int rest = (int)(n % RowWidth);
            using (no_grad())
            {
                fixed (byte* w = weight.bytes, mp = m.bytes, vp = v.bytes, gp = g.bytes)
                {
                    float* wf = (float*)w, mf = (float*)mp, vf = (float*)vp, gf = (float*)gp;
                    RowAdamKernel.Step(wf, mf, vf, gf, null, rows, RowWidth, c, threads, SimdWidths.Best);
                    long at = rows * RowWidth;
                    if (rest > 0)
                    {
                        RowAdamKernel.Step(wf + at, mf + at, vf + at, gf + at, null, 1, rest, c, threads, SimdWidths.Best);
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        foreach ((_, Tensor m, Tensor v) in _parameters)
        {
            m.Dispose();
            v.Dispose();
        }
    }
}
