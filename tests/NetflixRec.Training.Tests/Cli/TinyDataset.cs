using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>
/// One generated (seed 7) and ingested tiny Prize, shared as a collection fixture: by the CLI tests of
/// <see cref="TinyDatasetCollection"/> and by the torch tests of <see cref="TorchCollection"/> (one instance each, since
/// a fixture belongs to one collection). Tests write only fresh, uniquely named directories beside it.
/// </summary>
public sealed class TinyDataset : IDisposable
{
    public TinyDataset()
    {
        string netflix = Directory.Combine("netflix");
        SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, 7), netflix);
        Dataset = Directory.Combine("dataset");
        if (CliApp.Run(["ingest", "--netflix", netflix, "--out", Dataset]) != CliRun.Success)
        {
            throw new InvalidOperationException("ingest of the tiny set failed");
        }
    }

    public TempDirectory Directory { get; } = new();

    public string Dataset { get; }

    public void Dispose() => Directory.Dispose();
}

/// <summary>
/// The CLI tests on the tiny Prize that train no torch model (bias, biased-mf): they share one dataset and run one class
/// at a time, in parallel with the other collections.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TinyDatasetCollection : ICollectionFixture<TinyDataset>
{
    public const string Name = "TinyDataset";
}
