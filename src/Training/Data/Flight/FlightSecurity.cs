using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetflixRec.Contracts;

namespace NetflixRec.Training.Data.Flight;

/// <summary>
/// How <see cref="DatasetFlightHost"/> protects the endpoint, with the serving process's options and defaults: no key,
/// no TLS. With <see cref="ApiKey"/> every call must carry <c>authorization: Bearer KEY</c>; with
/// <see cref="TlsCertificate"/> (PEM with <see cref="TlsKey"/>, or .pfx/.p12 with <see cref="TlsPassword"/>) the host
/// serves https:// URLs.
/// </summary>
public sealed record FlightServerSecurity(string? ApiKey, string? TlsCertificate, string? TlsKey, string? TlsPassword)
{
    public static readonly FlightServerSecurity None = new(null, null, null, null);

    /// <summary>The certificate to serve, or none without <see cref="TlsCertificate"/>; an unloadable one is an
    /// <see cref="ArgumentException"/> naming the option and file.</summary>
    internal X509Certificate2? LoadCertificate() => ServerCertificate.Load(TlsCertificate, TlsKey, TlsPassword);
}

/// <summary>
/// What <see cref="FlightDataset"/> sends and trusts: the API key (sent as <c>authorization: Bearer KEY</c>) and, for a
/// server whose certificate the system does not trust (self-signed), a certificate file (PEM or DER) to trust as the
/// root of its chain. The host name is checked either way.
/// </summary>
public sealed record FlightClientSecurity(string? ApiKey, string? TrustedCertificate)
{
    public static readonly FlightClientSecurity None = new(null, null);

    /// <summary>The HTTP handler for the channel: the system's trust, or the trusted certificate as the only root.</summary>
    internal SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (TrustedCertificate is not { } path)
        {
            return handler;
        }

        X509Certificate2 root;
        try
        {
            root = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"trusted certificate {path}: cannot load it ({e.Message})", e);
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is not X509Certificate2 leaf || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false; // no certificate, or the name does not match: no custom root fixes that
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf);
        };
        return handler;
    }
}
