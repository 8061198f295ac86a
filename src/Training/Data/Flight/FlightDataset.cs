using System.Runtime.CompilerServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Data.Flight;

/// <summary>
/// A dataset served by <see cref="DatasetFlightServer"/>, read over Arrow Flight: the same record batches, in the same
/// order, as <see cref="LocalDataset"/> reads from the directory. Owns its gRPC channel; dispose it when done.
/// </summary>
public sealed class FlightDataset : IRatingBatchSource, IAsyncDisposable, IDisposable
{
    // A default batch (2^18 rows) is about 3.4 MB on the wire, close to gRPC's default 4 MB limit; larger batches are legal.
    private const int MaxMessageBytes = 512 * 1024 * 1024;

    private readonly GrpcChannel _channel;
    private readonly FlightClient _client;
    private readonly Metadata? _headers;

    private FlightDataset(Uri address, GrpcChannel channel, FlightClient client, Metadata? headers, DatasetManifest manifest)
    {
        Address = address;
        _channel = channel;
        _client = client;
        _headers = headers;
        Manifest = manifest;
    }

    public Uri Address { get; }

    public DatasetManifest Manifest { get; }

    /// <summary>
    /// Connects to a Flight endpoint (for example <c>http://127.0.0.1:5090</c>, HTTP/2 without TLS) and fetches the manifest.
    /// An unreachable endpoint is an <see cref="RpcException"/> (UNAVAILABLE); a foreign manifest an <see cref="InvalidDataException"/>.
    /// </summary>
    public static Task<FlightDataset> ConnectAsync(Uri address, CancellationToken cancellationToken = default) =>
        ConnectAsync(address, FlightClientSecurity.None, cancellationToken);

    /// <summary>Connects with an API key and/or a certificate to trust (https:// addresses); a wrong or missing key is an
    /// <see cref="RpcException"/> (UNAUTHENTICATED), an untrusted server certificate one with UNAVAILABLE.</summary>
    public static async Task<FlightDataset> ConnectAsync(Uri address, FlightClientSecurity security, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(security);
        GrpcChannel channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            ThrowOperationCanceledOnCancellation = true, // cancellation reads as OperationCanceledException, as for LocalDataset
            HttpHandler = security.CreateHandler(),
            DisposeHttpClient = true,
        });
        try
        {
            var client = new FlightClient(channel);
            Metadata? headers = security.ApiKey is null ? null : new Metadata { { "authorization", "Bearer " + security.ApiKey } };
            DatasetManifest manifest = await FetchManifestAsync(client, headers, address, cancellationToken).ConfigureAwait(false);
            return new FlightDataset(address, channel, client, headers, manifest);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>The partition's batches as the server streams them; the caller owns (and may dispose) each batch.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(DatasetPartition partition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ticket = new FlightTicket(DatasetManifest.PartitionName(partition));

        // Disposing the call (also when the consumer stops early) cancels the server's stream.
        using FlightRecordBatchStreamingCall call = _client.GetStream(ticket, _headers, null, cancellationToken);
        using FlightClientRecordBatchStreamReader reader = call.ResponseStream;
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }

    public void Dispose() => _channel.Dispose();

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<DatasetManifest> FetchManifestAsync(FlightClient client, Metadata? headers, Uri address, CancellationToken cancellationToken)
    {
        using AsyncServerStreamingCall<FlightResult> call = client.DoAction(new FlightAction(DatasetFlightServer.ManifestAction), headers, null, cancellationToken);
        var json = new List<byte>();
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            json.AddRange(call.ResponseStream.Current.Body.Span);
        }

        string source = $"{address} (Flight action '{DatasetFlightServer.ManifestAction}')";
        DatasetManifest manifest = DatasetManifest.FromJson(Encoding.UTF8.GetString([.. json]), source);
        if (manifest.SchemaVersion != DatasetSchema.Version)
        {
            throw new InvalidDataException($"{source}: schema version {manifest.SchemaVersion}, this build reads {DatasetSchema.Version}");
        }

        return manifest;
    }
}
