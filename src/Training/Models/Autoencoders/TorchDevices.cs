using TorchSharp;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>Parses a config's <c>device</c> and sets up torch for a seeded, explicitly threaded run.</summary>
public static class TorchDevices
{
    public static torch.Device Prepare(string device, int threads, int seed)
    {
        torch.set_num_threads(TrainingThreads.Resolve(threads));
        torch.manual_seed(seed);
        if (device.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
        {
            throw new InvalidDataException($"device '{device}': CUDA is not available to TorchSharp here (only the CPU build restores); use \"cpu\"");
        }

        try
        {
            return torch.device(device);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"device '{device}': not a torch device ({e.Message})", e);
        }
    }
}
