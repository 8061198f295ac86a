using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>One <c>dense</c> synthetic Prize on disk (seed 1), shared by the tests of a class and deleted afterwards.</summary>
public sealed class DensePrizeFixture : IDisposable
{
    public const int Seed = 1;

    public DensePrizeFixture()
    {
        Root = System.IO.Directory.CreateTempSubdirectory("netflixrec-dense-").FullName;
        Directory = Path.Combine(Root, "dense");
        Summary = SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Dense, Seed), Directory);
        Files = PrizeFiles.Read(Directory);
    }

    /// <summary>A private temporary folder; tests may create siblings of <see cref="Directory"/> in it.</summary>
    public string Root { get; }

    public string Directory { get; }

    public GenerationSummary Summary { get; }

    public PrizeFiles Files { get; }

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
