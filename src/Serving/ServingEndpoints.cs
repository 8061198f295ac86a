using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NetflixRec.Serving;

/// <summary>
/// The Kestrel endpoints of the process, bound explicitly from the options: gRPC endpoints speak HTTP/2 only (a
/// cleartext endpoint cannot negotiate, so gRPC needs prior-knowledge HTTP/2), the metrics endpoint HTTP/1.1. After
/// start-up the bound ports are known here (port 0 in a URL means any free port, as the tests use).
/// </summary>
public sealed class ServingEndpoints
{
    private readonly List<(ListenOptions Listen, bool Https)> _grpc = [];
    private (ListenOptions Listen, bool Https)? _metrics;

    /// <summary>The gRPC base addresses actually bound (valid once the server has started).</summary>
    public IReadOnlyList<Uri> Grpc => [.. _grpc.Select(e => UriOf(e.Listen, e.Https))];

    /// <summary>The metrics base address, if enabled (valid once the server has started).</summary>
    public Uri? Metrics => _metrics is { } m ? UriOf(m.Listen, m.Https) : null;

    internal void Configure(KestrelServerOptions kestrel, ServingOptions options, X509Certificate2? certificate)
    {
        kestrel.AddServerHeader = false;
        foreach (string url in options.Urls)
        {
            _grpc.Add(Listen(kestrel, url, HttpProtocols.Http2, certificate, "--urls"));
        }

        if (options.MetricsUrl is { } metrics)
        {
            _metrics = Listen(kestrel, metrics, HttpProtocols.Http1, certificate, "--metrics-urls");
        }
    }

    private static (ListenOptions, bool) Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, X509Certificate2? certificate, string option)
    {
        // Kestrel's wildcard spellings; an IP literal or localhost otherwise.
        string normalized = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            throw new ArgumentException($"{option}: '{url}' is not http://HOST:PORT or https://HOST:PORT");
        }

        bool https = uri.Scheme == "https";
        if (https && certificate is null)
        {
            throw new ArgumentException($"{option}: '{url}' needs a certificate (--tls-cert)");
        }

        IPAddress address = uri.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? parsed) ? parsed
            : throw new ArgumentException($"{option}: '{uri.Host}' is not an IP address or localhost");
        ListenOptions? bound = null;
        kestrel.Listen(address, uri.Port, listen =>
        {
            // Over TLS, ALPN lets one endpoint offer both (gRPC and a Prometheus scrape).
            listen.Protocols = https ? HttpProtocols.Http1AndHttp2 : protocols;
            if (https)
            {
                listen.UseHttps(certificate!);
            }

            bound = listen;
        });
        return (bound!, https);
    }

    private static Uri UriOf(ListenOptions listen, bool https)
    {
        IPEndPoint endpoint = listen.IPEndPoint!;
        string host = endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1" : endpoint.Address.ToString();
        if (endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            host = endpoint.Address.Equals(IPAddress.IPv6Any) ? "[::1]" : $"[{host}]";
        }

        return new Uri($"{(https ? "https" : "http")}://{host}:{endpoint.Port}");
    }
}
