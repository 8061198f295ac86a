using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>--data</c> names: a dataset directory, or the address of a <c>netflixrec serve-data</c> Arrow Flight endpoint
/// (<c>http://</c> or <c>grpc://</c>/<c>grpc+tcp://</c> without TLS, <c>https://</c> or <c>grpc+tls://</c> with it), so
/// training and evaluation can read a dataset served from elsewhere. The API key comes from
/// <see cref="ApiKeyVariable"/>, a certificate to trust (a self-signed server) from <see cref="TrustedCertificateVariable"/>.
/// </summary>
internal static class DataSources
{
    public const string ApiKeyVariable = ServeDataCommand.ApiKeyVariable;
    public const string TrustedCertificateVariable = "NETFLIXREC_DATA_TLS_CA";

    public static IRatingBatchSource Open(string data)
    {
        if (AddressOf(data) is not { } address)
        {
            return LocalDataset.Open(data);
        }

        var security = new FlightClientSecurity(NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
            NullIfEmpty(Environment.GetEnvironmentVariable(TrustedCertificateVariable)));
        try
        {
            return FlightDataset.ConnectAsync(address, security).GetAwaiter().GetResult();
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unauthenticated)
        {
            throw new ArgumentException($"--data: {address} refused the API key ({(security.ApiKey is null ? $"none given; set {ApiKeyVariable}" : $"wrong key in {ApiKeyVariable}")})", nameof(data), e);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--data: {TrustedCertificateVariable}: {e.Message}", nameof(data), e);
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException or HttpRequestException or IOException)
        {
            // A refused connection surfaces as a cancelled call on this channel; either way, the address is the problem.
            string detail = e is Grpc.Core.RpcException rpc ? rpc.Status.Detail
                : address.Scheme == Uri.UriSchemeHttps && security.TrustedCertificate is null
                    ? $"nothing answered, or its TLS certificate is not trusted: for a self-signed one set {TrustedCertificateVariable}=CERT.pem"
                    : "nothing answered";
            throw new ArgumentException($"--data: no Arrow Flight dataset answers at {address} ({detail})", nameof(data), e);
        }
    }

    /// <summary>The http(s) address a Flight URI names (Flight's grpc+tls:// is https://), or null for a directory.</summary>
    internal static Uri? AddressOf(string data)
    {
        if (!Uri.TryCreate(data, UriKind.Absolute, out Uri? uri) || uri.IsFile)
        {
            return null;
        }

        string? scheme = uri.Scheme switch
        {
            "http" or "grpc" or "grpc+tcp" => Uri.UriSchemeHttp,
            "https" or "grpc+tls" => Uri.UriSchemeHttps,
            _ => null,
        };
        return scheme is null ? null : new UriBuilder(uri) { Scheme = scheme, Port = uri.Port }.Uri;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
