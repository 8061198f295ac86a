using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

public sealed class SyntheticNetflixTests(TinyPrizeFixture tiny) : IClassFixture<TinyPrizeFixture>
{
    private static readonly string[] OtherFiles = ["movie_titles.txt", "probe.txt", "probe_oracle.txt", "qualifying.txt", "qualifying_answers.txt"];

    [Fact]
    public void Generate_Tiny_WritesPrizeLayout()
    {
        string[] expectedMovies = Enumerable.Range(1, 150).Select(NetflixWriter.MovieFileName).ToArray();

        Assert.Equal(expectedMovies, tiny.Files.MovieFiles);
        Assert.Equal("mv_0000001.txt", expectedMovies[0]);
        Assert.Equal(OtherFiles, Directory.GetFiles(tiny.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["training_set"], Directory.GetDirectories(tiny.Directory).Select(Path.GetFileName));

        // The temporary sibling was renamed, not left behind.
        Assert.Equal(["tiny"], Directory.GetFileSystemEntries(tiny.Root).Select(Path.GetFileName));
    }

    [Fact]
    public void Generate_Tiny_SummaryMatchesFiles()
    {
        GenerationSummary summary = tiny.Summary;
        long bytes = Directory.EnumerateFiles(tiny.Directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        Assert.Equal(tiny.Directory, summary.Directory);
        Assert.Equal(tiny.Files.Training.Count, summary.TrainingRatings);
        Assert.Equal(tiny.Files.Training.Select(r => r.Customer).Distinct().Count(), summary.Users);
        Assert.Equal(400, summary.Users);
        Assert.Equal(150, summary.Movies);
        Assert.Equal(150, summary.Titles);
        Assert.Equal(tiny.Files.Probe.Count, summary.Probe);
        Assert.Equal(tiny.Files.Qualifying.Count, summary.Qualifying);
        Assert.Equal(bytes, summary.Bytes);
    }

    [Fact]
    public void Generate_SameSeed_WritesIdenticalBytes()
    {
        string again = Path.Combine(tiny.Root, "same-seed");
        try
        {
            SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, TinyPrizeFixture.Seed), again);

            Assert.Equal(Snapshot(tiny.Directory), Snapshot(again));
        }
        finally
        {
            Directory.Delete(again, recursive: true);
        }
    }

    [Fact]
    public void Generate_OtherSeed_WritesOtherData()
    {
        string other = Path.Combine(tiny.Root, "other-seed");
        try
        {
            SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, TinyPrizeFixture.Seed + 1), other);

            Dictionary<string, byte[]> mine = Snapshot(tiny.Directory);
            Dictionary<string, byte[]> theirs = Snapshot(other);
            Assert.Equal(mine.Keys, theirs.Keys);
            Assert.NotEqual(mine["probe.txt"], theirs["probe.txt"]);
            Assert.NotEqual(mine["movie_titles.txt"], theirs["movie_titles.txt"]);
            Assert.NotEqual(mine[Path.Combine("training_set", "mv_0000001.txt")], theirs[Path.Combine("training_set", "mv_0000001.txt")]);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Build_OneOrFourWorkers_GivesTheSameDataset()
    {
        // Sparser than tiny, so that movies take both sampling paths (Bernoulli pass and alias rejection).
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Tiny, 5) with { Users = 3_000, Movies = 300, TargetRatings = 30_000 };

        SyntheticDataset serial = SyntheticNetflix.Build(options, new Silent(), parallelism: 1);
        SyntheticDataset parallel = SyntheticNetflix.Build(options, new Silent(), parallelism: 4);

        Assert.Equal(serial.CustomerIds, parallel.CustomerIds);
        Assert.Equal(serial.Titles, parallel.Titles);
        Assert.Equal(serial.Training.Count, parallel.Training.Count);
        for (int movie = 0; movie < serial.Training.Count; movie++)
        {
            MovieRatings a = serial.Training[movie];
            MovieRatings b = parallel.Training[movie];
            Assert.Equal(a.Customers.ToArray(), b.Customers.ToArray());
            Assert.Equal(a.Ratings.ToArray(), b.Ratings.ToArray());
            Assert.Equal(a.Days.ToArray(), b.Days.ToArray());
        }

        Assert.Equal(serial.Qualifying.SelectMany(q => q.Customers.ToArray()), parallel.Qualifying.SelectMany(q => q.Customers.ToArray()));
        Assert.Equal(serial.Oracle.SelectMany(o => o.Expected.ToArray()), parallel.Oracle.SelectMany(o => o.Expected.ToArray()));
    }

    [Fact]
    public void Generate_NonEmptyOutDirectory_ThrowsArgumentExceptionNamingIt()
    {
        string occupied = Path.Combine(tiny.Root, "occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "mine");
        try
        {
            ArgumentException error = Assert.Throws<ArgumentException>(
                () => SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, 1), occupied));

            Assert.Contains(occupied, error.Message, StringComparison.Ordinal);
            Assert.Equal("outDirectory", error.ParamName);
            Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(occupied).Select(Path.GetFileName));
            Assert.DoesNotContain(Directory.GetFileSystemEntries(tiny.Root), e => e.Contains(".tmp-", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(occupied, recursive: true);
        }
    }

    [Fact]
    public void Generate_EmptyExistingOutDirectory_FillsIt()
    {
        string empty = Path.Combine(tiny.Root, "empty");
        Directory.CreateDirectory(empty);
        try
        {
            SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, TinyPrizeFixture.Seed), empty);

            Assert.Equal(Snapshot(tiny.Directory), Snapshot(empty));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(directory, path), File.ReadAllBytes);

    private sealed class Silent : IProgress<string>
    {
        public void Report(string value)
        {
        }
    }
}
