using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Data.Flight;

/// <summary>
/// An ASP.NET Core (Kestrel) process part serving one <see cref="LocalDataset"/> through <see cref="DatasetFlightServer"/>:
/// one address, loopback unless the URL names another; http:// is HTTP/2 without TLS (gRPC "h2c"), https:// needs the
/// certificate of <see cref="FlightServerSecurity"/>, whose API key, when set, every call must carry. Port 0 picks a free
/// port; <see cref="Address"/> is the address actually bound.
/// </summary>
public sealed class DatasetFlightHost : IAsyncDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:5090";

    private readonly WebApplication _app;

    private DatasetFlightHost(WebApplication app, LocalDataset dataset, Uri address, bool isPublic)
    {
        _app = app;
        Dataset = dataset;
        Address = address;
        IsPublic = isPublic;
    }

    /// <summary>Whether the host listens beyond loopback (0.0.0.0, a LAN address): reachable from other machines.</summary>
    public bool IsPublic { get; }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41723/</c>: what clients connect to.</summary>
    public Uri Address { get; }

    public LocalDataset Dataset { get; }

    /// <summary>
    /// The web application, not yet started: Kestrel listening on <paramref name="url"/> (http or https, an IP address or
    /// <c>localhost</c>), gRPC with the Flight service, logs of warnings and worse on stderr (stdout belongs to the CLI).
    /// A URL this host cannot listen on, or security options that do not fit it, are an <see cref="ArgumentException"/>
    /// naming them.
    /// </summary>
    public static WebApplication Build(LocalDataset dataset, Uri url, FlightServerSecurity security)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(security);
        IPEndPoint endPoint = EndPointOf(url);
        bool https = url.Scheme == Uri.UriSchemeHttps;
        X509Certificate2? certificate = security.LoadCertificate();
        if (https != certificate is not null)
        {
            throw new ArgumentException(https
                ? $"{url}: https needs a certificate (--tls-cert)"
                : $"{url}: --tls-cert is given, so listen on https://, not http://");
        }

        // The slim builder, no command-line args and the program's own content root: nothing in the working directory
        // (an appsettings.json, say) changes what is served.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A failed start (say, the port is taken) is thrown to the caller; the host's own log of it is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.AddSingleton(dataset);
        builder.Services.AddSingleton(security);
        builder.Services.AddSingleton(new BearerKeyInterceptor(security.ApiKey));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<BearerKeyInterceptor>()).AddFlightServer<DatasetFlightServer>();

        WebApplication app = builder.Build();
        app.MapFlightEndpoint();
        return app;
    }

    /// <summary>Builds and starts the host without key or TLS; stop it with <see cref="StopAsync"/> or by disposing it.</summary>
    public static Task<DatasetFlightHost> StartAsync(LocalDataset dataset, Uri url, CancellationToken cancellationToken = default) =>
        StartAsync(dataset, url, FlightServerSecurity.None, cancellationToken);

    /// <summary>Builds and starts the host with the given key and TLS settings.</summary>
    public static async Task<DatasetFlightHost> StartAsync(LocalDataset dataset, Uri url, FlightServerSecurity security, CancellationToken cancellationToken = default)
    {
        WebApplication app = Build(dataset, url, security);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new DatasetFlightHost(app, dataset, BoundAddress(app, url), !IPAddress.IsLoopback(EndPointOf(url).Address));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the host stops: Ctrl+C, SIGTERM, or <see cref="StopAsync"/>.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting calls and ends the running ones (their clients see CANCELLED).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPEndPoint EndPointOf(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{url}: expected http://HOST:PORT (HTTP/2 without TLS) or https://HOST:PORT");
        }

        if (url.AbsolutePath != "/" || url.Query.Length > 0)
        {
            throw new ArgumentException($"{url}: gRPC is served at the root; give no path");
        }

        // Kestrel's ListenLocalhost refuses port 0, so localhost means the IPv4 loopback.
        if (url.IsLoopback && url.HostNameType == UriHostNameType.Dns)
        {
            return new IPEndPoint(IPAddress.Loopback, url.Port);
        }

        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.Host.Trim('[', ']'), out IPAddress? address))
        {
            return new IPEndPoint(address, url.Port);
        }

        throw new ArgumentException($"{url}: the host must be an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost");
    }

    private static Uri BoundAddress(WebApplication app, Uri requested)
    {
        // With port 0, only the server knows the port it got.
        // Kestrel reports 0.0.0.0 as such; a client reaches it on loopback.
        string? bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return bound is null ? requested : new Uri(bound.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal));
    }
}
