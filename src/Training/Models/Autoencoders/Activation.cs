using System.Numerics.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>The hidden-layer non-linearities of the autoencoders; each has the ONNX operator of the same name.</summary>
public enum Activation
{
    Sigmoid,
    Selu,
    Tanh,
}

/// <summary>The same activation on a torch tensor (training) and on a float span (inference), so both agree.</summary>
public static class Activations
{
    // SELU constants (Klambauer et al.), as in torch.nn.SELU and ONNX Selu.
    public const float SeluAlpha = 1.6732632423543772f;
    public const float SeluScale = 1.0507009873554805f;

    public static Tensor Apply(Activation activation, Tensor x) => activation switch
    {
        Activation.Sigmoid => x.sigmoid(),
        Activation.Selu => nn.functional.selu(x),
        Activation.Tanh => x.tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static void Apply(Activation activation, Span<float> x)
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(x, x);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(x, x);
                break;
            case Activation.Selu:
                for (int i = 0; i < x.Length; i++)
                {
                    float v = x[i];
                    x[i] = SeluScale * (v > 0 ? v : SeluAlpha * (MathF.Exp(v) - 1f));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }
}
