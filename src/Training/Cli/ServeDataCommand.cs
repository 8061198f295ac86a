using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec serve-data --data DATASET_DIR [--urls URL] [--api-key KEY] [--tls-cert FILE --tls-key FILE]</c>: an
/// Arrow Flight endpoint streaming a dataset until Ctrl+C, with the serving process's security options and defaults.
/// </summary>
internal static class ServeDataCommand
{
    /// <summary>The API key when --api-key is not given (keeps the key out of the process list).</summary>
    public const string ApiKeyVariable = "NETFLIXREC_DATA_API_KEY";

    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<string> urls = new("--urls")
        {
            Description = $"Address to listen on, http://IP:PORT (HTTP/2 without TLS) or https://IP:PORT (needs --tls-cert); port 0 picks a free one. Default {DatasetFlightHost.DefaultUrl} (loopback only; other addresses get a warning).",
            DefaultValueFactory = _ => DatasetFlightHost.DefaultUrl,
        };
        Option<string?> apiKey = new("--api-key") { Description = $"Every call must carry 'authorization: Bearer KEY' (default: ${ApiKeyVariable}, else no key)." };
        Option<string?> tlsCert = new("--tls-cert") { Description = "PEM (with --tls-key) or .pfx/.p12 certificate for an https:// address." };
        Option<string?> tlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert." };
        Option<string?> tlsPassword = new("--tls-password") { Description = "Password of an encrypted key or .pfx." };
        var command = new Command("serve-data", "Serve a dataset over Arrow Flight: DoGet with ticket train|probe|qualifying, action 'manifest'. Runs until Ctrl+C.")
        {
            data, urls, apiKey, tlsCert, tlsKey, tlsPassword,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            string? key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
            var security = new FlightServerSecurity(string.IsNullOrEmpty(key) ? null : key, parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(tlsPassword));
            return Run(parse.GetRequiredValue(data), parse.GetValue(urls) ?? DatasetFlightHost.DefaultUrl, security);
        }));
        return command;
    }

    public static int Run(string dataDirectory, string url) => Run(dataDirectory, url, FlightServerSecurity.None);

    public static int Run(string dataDirectory, string url, FlightServerSecurity security)
    {
        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? requested))
        {
            throw new ArgumentException($"--urls {url}: not an absolute URL; expected http://IP:PORT or https://IP:PORT");
        }

        var clock = Stopwatch.StartNew();
        DatasetFlightHost host = Start(dataset, requested, url, security);
        try
        {
            DatasetManifest manifest = dataset.Manifest;
            CliRun.Progress($"serve-data: Arrow Flight at {host.Address} serving {Path.GetFullPath(dataDirectory)} (fingerprint {manifest.Fingerprint}; "
                + $"{(security.ApiKey is null ? "no API key" : "API key required")}, {(security.TlsCertificate is null ? "no TLS" : "TLS")})");
            if (host.IsPublic)
            {
                CliRun.Progress($"serve-data: warning: {url} is not a loopback address: the dataset is reachable from other machines"
                    + (security.ApiKey is null ? " by anyone (no --api-key)" : string.Empty)
                    + (security.TlsCertificate is null ? ", unencrypted (no --tls-cert)" : string.Empty));
            }

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

    private static DatasetFlightHost Start(LocalDataset dataset, Uri requested, string url, FlightServerSecurity security)
    {
        try
        {
            return DatasetFlightHost.StartAsync(dataset, requested, security).GetAwaiter().GetResult();
        }
        catch (ArgumentException e) when (e.Message.StartsWith("--", StringComparison.Ordinal))
        {
            throw; // already names its option (--tls-cert, --tls-key)
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
