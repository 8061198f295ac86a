using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>What every graph trainer does with TorchSharp before and after training: threads, seed, device, copies out.</summary>
internal static class GraphTorch
{
    /// <summary>Explicit threads (0: all cores) and seed, and the device named in the config ("cpu", "cuda", "cuda:1").</summary>
    public static Device Setup(int seed, int threads, string device)
    {
        torch.set_num_threads(TrainingThreads.Resolve(threads));
        torch.manual_seed(seed);
        try
        {
            return torch.device(device);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"device '{device}': not a torch device ({e.Message})", nameof(device), e);
        }
    }

    /// <summary>A float tensor's values, row-major, in a new managed array.</summary>
    public static float[] ToArray(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().cpu().contiguous().data<float>().ToArray();
    }

    public static Tensor Int64(long[] values, Device device) => torch.tensor(values, [values.LongLength], ScalarType.Int64).to(device);

    /// <summary>The first <paramref name="count"/> values (a reused batch buffer's filled part) as an int64 tensor.</summary>
    public static Tensor Int64(long[] values, int count, Device device) =>
        torch.tensor(values, [values.LongLength], ScalarType.Int64).narrow(0, 0, count).to(device);

    /// <summary>One optimizer step: clear the gradients, backpropagate <paramref name="loss"/>, update.</summary>
    public static void Minimize(optim.Optimizer optimizer, Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    public static Tensor Float32(float[] values, Device device) => torch.tensor(values, [values.LongLength], ScalarType.Float32).to(device);
}
