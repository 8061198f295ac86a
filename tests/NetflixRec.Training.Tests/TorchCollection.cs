namespace NetflixRec.Training.Tests;

/// <summary>
/// Tests that train TorchSharp models run one at a time, alone: libtorch's thread count is process-wide (each trainer
/// sets it), dispose scopes are per thread, and the memory tests count live tensors, so concurrent torch tests would
/// interfere with each other. The ones that need the tiny Prize share one (<see cref="Cli.TinyDataset"/>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<Cli.TinyDataset>
{
    public const string Name = "TorchSharp";
}
