using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Adam over whole parameters for the graph models: in place on the CPU (<see cref="FusedAdam"/>: no per-step temporaries
/// the size of the embedding tables, which torch's Adam allocates, maps and faults in afresh every step), torch's Adam on
/// another device. Same update, same defaults (β 0.9, 0.999, ε 1e-8), L2 weight decay as torch's <c>weight_decay</c>.
/// </summary>
public sealed class DenseAdam : IDisposable
{
    private readonly FusedAdam? _fused;
    private readonly optim.Optimizer? _torch;

    public DenseAdam(IEnumerable<Parameter> parameters, Device device, double learningRate, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type == DeviceType.CPU)
        {
            _fused = new FusedAdam(parameters, learningRate, weightDecay: weightDecay);
        }
        else
        {
            _torch = torch.optim.Adam(parameters, learningRate, weight_decay: weightDecay);
        }
    }

    /// <summary>One step: clear the gradients, backpropagate <paramref name="loss"/>, update.</summary>
    public void Minimize(Tensor loss)
    {
        if (_fused is not null)
        {
            _fused.ZeroGrad();
            loss.backward();
            _fused.Step();
        }
        else
        {
            TorchRuntime.Minimize(_torch!, loss);
        }
    }

    public void Dispose()
    {
        _fused?.Dispose();
        _torch?.Dispose();
    }
}
