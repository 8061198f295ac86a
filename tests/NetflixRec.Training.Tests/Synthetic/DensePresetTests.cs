using System.Text.Json;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>The <c>dense</c> preset on disk: MovieLens-100K's shape, a random 20 % probe, no qualifying.</summary>
[Trait("Category", "Slow")]
public sealed class DensePresetTests(DensePrizeFixture dense) : IClassFixture<DensePrizeFixture>
{
    private List<TrainingLine> Training => dense.Files.Training;

    [Fact]
    public void Generate_Dense_HasTheClassicSmallDenseShape()
    {
        int[] perUser = Training.GroupBy(r => r.Customer).Select(g => g.Count()).Order().ToArray();
        int[] perMovie = Training.GroupBy(r => r.Movie).Select(g => g.Count()).Order().ToArray();

        Assert.Equal(1_000, perUser.Length);
        Assert.Equal(1_700, perMovie.Length);
        Assert.InRange(Training.Count, 95_000, 105_000);
        Assert.InRange(Training.Count / (double)perUser.Length, 95, 105);

        // Every user at least 20, a few several hundred, the median well below the mean (heavy tail). The floor shifts
        // activity too, so users spread above it instead of piling up on it (a plain top-up put a quarter there).
        Assert.Equal(20, perUser[0]);
        Assert.True(perUser.Count(c => c == 20) < 100, $"{perUser.Count(c => c == 20)} users with exactly 20 ratings");
        Assert.True(perUser[^1] >= 400, $"most active user: {perUser[^1]}");
        Assert.InRange(perUser[perUser.Length / 2], 40, 80);

        // Many movies with a handful of ratings, a few rated by about half the users.
        Assert.True(perMovie.Count(c => c <= 10) >= 300, $"movies with at most 10 ratings: {perMovie.Count(c => c <= 10)}");
        Assert.InRange(perMovie[^1], 300, 700);
    }

    [Fact]
    public void Generate_Dense_StarsFollowMovieLens()
    {
        double[] targetShares = [0.061, 0.114, 0.271, 0.342, 0.212];

        double mean = Training.Average(r => r.Stars);
        double[] shares = Enumerable.Range(1, 5).Select(star => Training.Count(r => r.Stars == star) / (double)Training.Count).ToArray();

        Assert.InRange(mean, 3.45, 3.6);
        for (int k = 0; k < 5; k++)
        {
            Assert.True(Math.Abs(shares[k] - targetShares[k]) < 0.01, $"{k + 1} stars: {shares[k]:P1}, target {targetShares[k]:P1}");
        }
    }

    [Fact]
    public void Generate_Dense_ProbeIsTwentyPercentAndQualifyingEmpty()
    {
        double share = dense.Files.Probe.Count / (double)Training.Count;

        Assert.InRange(share, 0.199, 0.201);
        Assert.Empty(dense.Files.Qualifying);
        Assert.Equal(0, new FileInfo(Path.Combine(dense.Directory, SyntheticNetflix.QualifyingFileName)).Length);
        Assert.Equal(dense.Files.Probe, dense.Files.Oracle.Select(o => (o.Movie, o.Customer)));
        Assert.Equal(dense.Files.Probe.Count, dense.Files.Probe.Distinct().Count());
    }

    [Fact]
    public void Generate_Dense_ProbeIsDrawnAtRandomNotFromTheLatestDates()
    {
        var probe = dense.Files.Probe.ToHashSet();
        var datesByUser = Training.GroupBy(r => r.Customer).ToDictionary(g => g.Key, g => g.Select(r => r.Date).Order(StringComparer.Ordinal).ToArray());

        // Where each probe date falls among its user's dates (0 = earliest, 1 = latest, ties in the middle): about 0.5
        // for a random probe, near 1 for the Prize's latest ratings.
        double meanPosition = Training.Where(r => probe.Contains((r.Movie, r.Customer))).Average(r => Position(datesByUser[r.Customer], r.Date));
        int probeUsers = dense.Files.Probe.Select(p => p.Customer).Distinct().Count();

        Assert.InRange(meanPosition, 0.47, 0.53);
        Assert.True(probeUsers >= 990, $"{probeUsers} users with probe pairs");
    }

    [Fact]
    public void Generate_Dense_EveryProbeUserAndMovieKeepsATrainingRating()
    {
        var probe = dense.Files.Probe.ToHashSet();
        List<TrainingLine> train = Training.Where(r => !probe.Contains((r.Movie, r.Customer))).ToList();
        var trainUsers = train.Select(r => r.Customer).ToHashSet();
        var trainMovies = train.Select(r => r.Movie).ToHashSet();

        Assert.All(dense.Files.Probe, pair => Assert.Contains(pair.Customer, trainUsers));
        Assert.All(dense.Files.Probe, pair => Assert.Contains(pair.Movie, trainMovies));
    }

    [Fact]
    public void Generate_DenseSameSeed_WritesIdenticalBytesWhateverTheWorkers()
    {
        GeneratorOptions options = GeneratorOptions.ForScale(GeneratorScale.Dense, DensePrizeFixture.Seed);
        string serial = Path.Combine(dense.Root, "serial-" + Guid.NewGuid().ToString("N"));
        string other = Path.Combine(dense.Root, "other-" + Guid.NewGuid().ToString("N"));
        try
        {
            SyntheticNetflix.Write(SyntheticNetflix.Build(options, new Silent(), parallelism: 1), serial);
            SyntheticNetflix.Generate(options with { Seed = DensePrizeFixture.Seed + 1 }, other);

            Assert.Equal(Snapshot(dense.Directory), Snapshot(serial));
            Assert.NotEqual(Snapshot(dense.Directory)["probe.txt"], Snapshot(other)["probe.txt"]);
        }
        finally
        {
            Directory.Delete(serial, recursive: true);
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void GenerateThenIngest_Dense_CountsMatchTheFiles()
    {
        using var work = new TempDirectory();
        string netflix = work.Combine("netflix");
        string dataset = work.Combine("dataset");

        Assert.Equal(CliRun.Success, CliApp.Run(["generate", "--scale", "dense", "--seed", "1", "--out", netflix]));
        Assert.Equal(CliRun.Success, CliApp.Run(["ingest", "--netflix", netflix, "--out", dataset]));

        DatasetManifest manifest = LocalDataset.Open(dataset).Manifest;
        Assert.Equal(Snapshot(dense.Directory), Snapshot(netflix));
        Assert.Equal(Training.Count, manifest.Ratings);
        Assert.Equal(1_000, manifest.Users);
        Assert.Equal(1_700, manifest.Movies);
        Assert.Equal(1_700, manifest.Titles);
        Assert.Equal(dense.Files.Probe.Count, manifest.Probe);
        Assert.Equal(Training.Count - dense.Files.Probe.Count, manifest.Train);
        Assert.Equal(0, manifest.Qualifying);
        Assert.True(manifest.HasOracle);
        Assert.Equal(dense.Files.Probe.Count, LocalDataset.Open(dataset).LoadProbeOracle().Length);
    }

    private static double Position(string[] sortedDates, string date)
    {
        int first = Array.FindIndex(sortedDates, d => d == date);
        int last = Array.FindLastIndex(sortedDates, d => d == date);
        return (first + last) / 2.0 / (sortedDates.Length - 1);
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);

    private sealed class Silent : IProgress<string>
    {
        public void Report(string value)
        {
        }
    }
}
