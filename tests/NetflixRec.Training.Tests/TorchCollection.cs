namespace NetflixRec.Training.Tests;

/// <summary>
/// Tests that train TorchSharp models run one at a time, alone: libtorch's thread count is process-wide (each trainer
/// sets it), dispose scopes are per thread, and the memory tests count live tensors, so concurrent torch tests would
/// interfere with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
