using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// Where a custom function's backward may add its gradient in place: the gradient autograd already keeps for a leaf
/// (<see cref="RowAdam.Gather"/> sets a zeroed one before each step). Autograd would add the function's fresh gradient
/// into it anyway; adding in place saves the fresh tensor (the same sum, in another order when several functions add).
/// </summary>
internal static class KeptGradient
{
    /// <summary>
    /// Gives each parameter without one a zeroed gradient before the first step, so that the functions that add into kept
    /// gradients do so from the first step on (autograd's first gradient would be a fresh table, and the functions' own
    /// product besides). Only for parameters that receive a gradient every step: an optimizer updates a parameter whose
    /// gradient is zero, but skips one that has none.
    /// </summary>
    public static void Prepare(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        foreach (TorchSharp.Modules.Parameter parameter in parameters)
        {
            using Tensor? existing = parameter.grad;
            if (existing is null)
            {
                using Tensor zeros = zeros_like(parameter);
                parameter.grad = zeros;
            }
        }
    }

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
