using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>One synthetic Prize on disk, generated once for the tests of a class and deleted afterwards.</summary>
public abstract class GeneratedPrize : IDisposable
{
    protected GeneratedPrize(GeneratorScale scale, int seed)
    {
        string name = scale.ToString().ToLowerInvariant();
        Root = System.IO.Directory.CreateTempSubdirectory($"netflixrec-{name}-").FullName;
        Directory = Path.Combine(Root, name);
        Summary = SyntheticNetflix.Generate(GeneratorOptions.ForScale(scale, seed), Directory);
        Files = PrizeFiles.Read(Directory);
    }

    /// <summary>A private temporary folder; tests may create siblings of <see cref="Directory"/> in it.</summary>
    public string Root { get; }

    public string Directory { get; }

    public GenerationSummary Summary { get; }

    public PrizeFiles Files { get; }

    public void Dispose()
    {
        System.IO.Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The tiny Prize, seed 42.</summary>
public sealed class TinyPrizeFixture() : GeneratedPrize(GeneratorScale.Tiny, Seed)
{
    public const int Seed = 42;
}

/// <summary>The dense (MovieLens-100K-shaped) Prize, seed 1.</summary>
public sealed class DensePrizeFixture() : GeneratedPrize(GeneratorScale.Dense, Seed)
{
    public const int Seed = 1;
}
