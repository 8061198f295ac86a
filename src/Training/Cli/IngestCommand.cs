using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Cli;

/// <summary><c>netflixrec ingest --netflix DIR --out DATASET_DIR</c>: Prize files → compressed Arrow dataset.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        Option<string> netflix = CommonOptions.RequiredPath("--netflix", "Directory with the Netflix Prize files (training_set/ or combined_data_*.txt, movie_titles, probe.txt, qualifying.txt).");
        Option<string> output = CommonOptions.RequiredPath("--out", "Dataset directory to create (must not exist or be empty).");
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("ingest", "Parse the Netflix Prize files, split off the probe set and store ZSTD-compressed Arrow.")
        {
            netflix, output, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(netflix), parse.GetRequiredValue(output), parse.GetValue(threads), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static IngestSummary Run(string netflixDirectory, string outputDirectory, int threads, bool json)
    {
        OutputDirectory.EnsureAbsentOrEmpty(outputDirectory);
        var clock = Stopwatch.StartNew();
        CliRun.Progress($"ingest: reading {netflixDirectory} ({threads} threads)");
        NetflixSource source = NetflixReader.ReadDirectory(netflixDirectory, threads);
        double parseSeconds = clock.Elapsed.TotalSeconds;
        CliRun.Progress($"ingest: parsed {source.RatingCount:N0} ratings of {source.Movies.Count:N0} movies in {parseSeconds:F1} s; indexing and splitting off the probe set");
        NetflixDataset dataset = DatasetBuilder.FromSource(source, threads);
        double transformSeconds = clock.Elapsed.TotalSeconds - parseSeconds;
        CliRun.Progress($"ingest: {dataset.Train.Count:N0} train, {dataset.Probe.Count:N0} probe, {dataset.Qualifying.Count:N0} qualifying; writing {outputDirectory}");
        long bytesIn = source.BytesRead;
        string description = $"netflix:{Path.GetFullPath(netflixDirectory)} ({(source.Layout.IsCombined ? "combined_data" : "training_set")})";
        DatasetManifest manifest = DatasetWriter.Write(dataset, outputDirectory, StoreOptions.Default with { Parallelism = threads }, description);
        double seconds = clock.Elapsed.TotalSeconds;
        long bytesOut = Directory.EnumerateFiles(outputDirectory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        long peakRss = CliRun.PeakResidentBytes();
        var result = new IngestSummary(
            Ratings: manifest.Ratings,
            Users: manifest.Users,
            Movies: manifest.Movies,
            Titles: manifest.Titles,
            Probe: manifest.Probe,
            Qualifying: manifest.Qualifying,
            BytesIn: bytesIn,
            BytesOut: bytesOut,
            Seconds: Math.Round(seconds, 3),
            ParseSeconds: Math.Round(parseSeconds, 3),
            TransformSeconds: Math.Round(transformSeconds, 3),
            WriteSeconds: Math.Round(seconds - parseSeconds - transformSeconds, 3),
            RatingsPerSecond: Math.Round(manifest.Ratings / seconds),
            PeakRssBytes: peakRss,
            Fingerprint: manifest.Fingerprint);
        CliRun.Finish(json, result,
            $"ingested {manifest.Ratings:N0} ratings ({manifest.Users:N0} users, {manifest.Movies:N0} movies, {manifest.Probe:N0} probe, {manifest.Qualifying:N0} qualifying) " +
            $"in {seconds:F1} s ({manifest.Ratings / seconds / 1e6:F1} M ratings/s); {CliRun.Megabytes(bytesIn)} of text → {CliRun.Megabytes(bytesOut)} of Arrow; peak RSS {CliRun.Megabytes(peakRss)} → {outputDirectory}");
        return result;
    }
}
