using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>Copies trained weights out of torch into managed arrays (what the immutable inference models hold).</summary>
public static class TorchArrays
{
    public static float[] ToArray(Tensor tensor)
    {
        // detach/cpu/contiguous may each create a tensor: the scope disposes all of them.
        using DisposeScope scope = NewDisposeScope();
        using (no_grad())
        {
            return tensor.detach().cpu().contiguous().data<float>().ToArray();
        }
    }
}
