using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Cli;

/// <summary><c>netflixrec serve-data --data DATASET_DIR [--urls URL]</c>: an Arrow Flight endpoint streaming a dataset until Ctrl+C.</summary>
internal static class ServeDataCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> urls = new("--urls")
        {
            Description = $"Address to listen on, http://IP:PORT (HTTP/2 without TLS; port 0 picks a free one). Default {DatasetFlightHost.DefaultUrl} (loopback only).",
            DefaultValueFactory = _ => DatasetFlightHost.DefaultUrl,
        };
        var command = new Command("serve-data", "Serve a dataset over Arrow Flight: DoGet with ticket train|probe|qualifying, action 'manifest'. Runs until Ctrl+C.")
        {
            data, urls,
        };
        command.SetAction(parse => CliRun.Guard(() => Run(parse.GetRequiredValue(data), parse.GetValue(urls) ?? DatasetFlightHost.DefaultUrl)));
        return command;
    }

    public static int Run(string dataDirectory, string url)
    {
        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? requested))
        {
            throw new ArgumentException($"--urls {url}: not an absolute URL; expected http://IP:PORT");
        }

        var clock = Stopwatch.StartNew();
        DatasetFlightHost host = Start(dataset, requested, url);
        try
        {
            DatasetManifest manifest = dataset.Manifest;
            CliRun.Progress($"serve-data: Arrow Flight at {host.Address} serving {Path.GetFullPath(dataDirectory)} (fingerprint {manifest.Fingerprint})");
            foreach (PartitionInfo partition in manifest.Partitions)
            {
                CliRun.Progress($"serve-data:   {partition.Name,-10} {partition.Rows,14:N0} rows; record batches: {partition.Files.Sum(f => f.Batches):N0}, files: {partition.Files.Count:N0}");
            }

            CliRun.Progress($"serve-data: DoGet ticket = partition name; action '{DatasetFlightServer.ManifestAction}' returns {DatasetManifest.FileName}. Ctrl+C to stop.");
            host.WaitForShutdownAsync().GetAwaiter().GetResult();
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Console.Out.WriteLine($"served {dataset.Manifest.Ratings:N0} ratings from {dataDirectory} at {host.Address} for {clock.Elapsed.TotalSeconds:F0} s");
        return CliRun.Success;
    }

    private static DatasetFlightHost Start(LocalDataset dataset, Uri requested, string url)
    {
        try
        {
            return DatasetFlightHost.StartAsync(dataset, requested).GetAwaiter().GetResult();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--urls {e.Message}", e);
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use" and friends: the user's --urls to change.
            throw new ArgumentException($"--urls {url}: {e.Message}", e);
        }
    }
}
