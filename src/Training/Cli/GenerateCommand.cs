using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Cli;

/// <summary><c>netflixrec generate --scale tiny|small|medium|full|dense --out DIR [--seed N]</c>: a synthetic Prize in the exact file layout.</summary>
internal static class GenerateCommand
{
    public const int DefaultSeed = 2006;

    public static Command Create()
    {
        Option<string> scale = new("--scale")
        {
            Description = "tiny (~10k ratings), small (~1.5M, the demo), medium (~10M), full (the Prize's shape, ~100M) " +
                "or dense (MovieLens-100K's shape: 1,000 users × 1,700 movies, ~100k ratings, a random 20% probe).",
            Required = true,
        };
        scale.AcceptOnlyFromAmong("tiny", "small", "medium", "full", "dense");
        Option<string> output = CommonOptions.RequiredPath("--out", "Directory to create with training_set/, movie_titles.txt, probe.txt, qualifying.txt, probe_oracle.txt.");
        Option<int> seed = new("--seed") { Description = "Seed of every random choice (same seed → byte-identical files).", DefaultValueFactory = _ => DefaultSeed };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("generate", "Generate a realistic synthetic Netflix Prize dataset in the exact Prize file format.")
        {
            scale, output, seed, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(ParseScale(parse.GetRequiredValue(scale)), parse.GetRequiredValue(output), parse.GetValue(seed), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static GeneratorScale ParseScale(string scale) => Enum.Parse<GeneratorScale>(scale, ignoreCase: true);

    public static GenerateSummary Run(GeneratorScale scale, string outputDirectory, int seed, bool json)
    {
        OutputDirectory.EnsureAbsentOrEmpty(outputDirectory);
        var clock = Stopwatch.StartNew();
        GeneratorOptions options = GeneratorOptions.ForScale(scale, seed);
        CliRun.Progress($"generate: {scale.ToString().ToLowerInvariant()} — {options.Users:N0} users × {options.Movies:N0} movies, ~{options.TargetRatings:N0} ratings, seed {seed}");
        GenerationSummary summary = SyntheticNetflix.Generate(options, outputDirectory, new Progress<string>(CliRun.Progress));
        double seconds = clock.Elapsed.TotalSeconds;
        var result = new GenerateSummary(
            Scale: scale.ToString().ToLowerInvariant(),
            Seed: seed,
            GeneratorVersion: SyntheticNetflix.GeneratorVersion,
            Ratings: summary.TrainingRatings,
            Users: summary.Users,
            Movies: summary.Movies,
            Titles: summary.Titles,
            Probe: summary.Probe,
            Qualifying: summary.Qualifying,
            Bytes: summary.Bytes,
            Seconds: Math.Round(seconds, 3),
            PeakRssBytes: CliRun.PeakResidentBytes());
        CliRun.Finish(json, result,
            $"generated (generator v{SyntheticNetflix.GeneratorVersion}) {summary.TrainingRatings:N0} ratings ({summary.Users:N0} users, {summary.Movies:N0} movies, {summary.Probe:N0} probe, {summary.Qualifying:N0} qualifying), " +
            $"{CliRun.Megabytes(summary.Bytes)} in {seconds:F1} s → {outputDirectory}");
        return result;
    }
}
