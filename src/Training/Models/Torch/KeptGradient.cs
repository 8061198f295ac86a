using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Where a custom function's backward may add its gradient in place: the gradient autograd already keeps for a leaf
/// (<see cref="RowAdam.Gather"/> sets a zeroed one before each step). Autograd would add the function's fresh gradient
/// into it anyway; adding in place saves the fresh tensor (the same sum, in another order when several functions add).
/// </summary>
internal static class KeptGradient
{
    /// <summary>The leaf's kept gradient (a new handle: dispose it), or null when there is none to add into.</summary>
    public static Tensor? Of(Tensor x)
    {
        if (!x.is_leaf || !x.requires_grad)
        {
            return null;
        }

        Tensor? gradient = x.grad;
        if (gradient is not null && (gradient.dtype != ScalarType.Float32 || !gradient.is_contiguous() || !gradient.shape.SequenceEqual(x.shape)))
        {
            gradient.Dispose();
            return null;
        }

        return gradient;
    }
}
