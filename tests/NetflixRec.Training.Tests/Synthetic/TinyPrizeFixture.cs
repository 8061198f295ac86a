using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>One tiny synthetic Prize on disk (seed 42), shared by the tests of a class and deleted afterwards.</summary>
public sealed class TinyPrizeFixture : IDisposable
{
    public const int Seed = 42;

    public TinyPrizeFixture()
    {
        Root = System.IO.Directory.CreateTempSubdirectory("netflixrec-synthetic-").FullName;
        Directory = Path.Combine(Root, "tiny");
        Summary = SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, Seed), Directory);
        Files = PrizeFiles.Read(Directory);
    }

    /// <summary>A private temporary folder; tests may create siblings of <see cref="Directory"/> in it.</summary>
    public string Root { get; }

    public string Directory { get; }

    public GenerationSummary Summary { get; }

    public PrizeFiles Files { get; }

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
