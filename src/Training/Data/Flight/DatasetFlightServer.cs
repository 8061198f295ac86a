using System.Text;
using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Server;
using Apache.Arrow.Ipc;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Data.Flight;

/// <summary>
/// Arrow Flight over one <see cref="LocalDataset"/>, read-only. A ticket, or a descriptor path, is a partition name
/// (<c>train</c>, <c>probe</c>, <c>qualifying</c>); <c>DoGet</c> streams that partition's stored record batches in stored
/// order with the stored schema; the action <c>manifest</c> returns manifest.json. Unknown names are NOT_FOUND. A file
/// that cannot be read is DATA_LOSS naming the partition only: the server's paths and exception texts go to its log,
/// never to a client.
/// </summary>
/// <remarks>Apache.Arrow.Flight.AspNetCore registers the server as scoped: one instance per call, over the shared dataset.</remarks>
public sealed partial class DatasetFlightServer : FlightServer
{
    /// <summary>The <c>DoAction</c> type that returns the dataset's manifest.json (UTF-8 JSON, one result).</summary>
    public const string ManifestAction = "manifest";

    private static readonly CompressionCodecFactory s_codecs = new();

    private readonly LocalDataset _dataset;
    private readonly ILogger<DatasetFlightServer> _logger;

    public DatasetFlightServer(LocalDataset dataset, ILogger<DatasetFlightServer> logger)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;

        // Clients get the stored order; shuffling is the trainer's business.
        _dataset = dataset.WithShuffle(null);
    }

    public override async Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        DatasetPartition partition = Resolve(ticket.Ticket.ToStringUtf8(), "ticket");
        CancellationToken cancellationToken = context.CancellationToken;
        try
        {
            // The schema goes first, so that an empty partition still tells the client its columns.
            await responseStream.SetupStream(SchemaOf(partition)).ConfigureAwait(false);
            await foreach (RecordBatch batch in _dataset.ReadAsync(partition, cancellationToken).ConfigureAwait(false))
            {
                using (batch)
                {
                    await responseStream.WriteAsync(batch).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when ((e is InvalidOperationException or OperationCanceledException) && cancellationToken.IsCancellationRequested)
        {
            // The client cancelled or went away: the write fails with "request is complete". Nobody is left to tell.
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw DataLoss(partition, e);
        }
    }

    public override async Task ListFlights(FlightCriteria request, IAsyncStreamWriter<FlightInfo> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        foreach (DatasetPartition partition in Enum.GetValues<DatasetPartition>())
        {
            await responseStream.WriteAsync(InfoOf(partition)).ConfigureAwait(false);
        }
    }

    public override Task<FlightInfo> GetFlightInfo(FlightDescriptor request, ServerCallContext context) =>
        Task.FromResult(InfoOf(Resolve(NameOf(request), "descriptor")));

    public override Task<Schema> GetSchema(FlightDescriptor request, ServerCallContext context) =>
        Task.FromResult(SchemaOf(Resolve(NameOf(request), "descriptor")));

    public override async Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        await responseStream.WriteAsync(new FlightActionType(ManifestAction, $"the dataset's {DatasetManifest.FileName} (UTF-8 JSON)")).ConfigureAwait(false);
    }

    public override async Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        if (request.Type != ManifestAction)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"unknown action '{request.Type}'; this server offers '{ManifestAction}'"));
        }

        // The manifest as loaded, not as the file reads now: it describes exactly what this server streams.
        await responseStream.WriteAsync(new FlightResult(Encoding.UTF8.GetBytes(_dataset.Manifest.ToJson()))).ConfigureAwait(false);
    }

    // The rest of Flight does not apply to a read-only dataset; say so instead of failing with UNKNOWN.
    public override Task DoPut(FlightServerRecordBatchStreamReader requestStream, IAsyncStreamWriter<FlightPutResult> responseStream, ServerCallContext context) =>
        throw ReadOnly("DoPut");

    public override Task DoExchange(FlightServerRecordBatchStreamReader requestStream, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context) =>
        throw ReadOnly("DoExchange");

    public override Task Handshake(IAsyncStreamReader<FlightHandshakeRequest> requestStream, IAsyncStreamWriter<FlightHandshakeResponse> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "this server needs no handshake"));

    private FlightInfo InfoOf(DatasetPartition partition)
    {
        string name = DatasetManifest.PartitionName(partition);
        PartitionInfo info = _dataset.Manifest.PartitionOf(partition);
        var endpoint = new FlightEndpoint(new FlightTicket(name), []);

        // No locations: fetch from this server. Total bytes -1 (unknown): the wire carries uncompressed batches, not the files.
        return new FlightInfo(SchemaOf(partition), FlightDescriptor.CreatePathDescriptor(name), [endpoint], info.Rows, -1, true, ByteString.Empty);
    }

    /// <summary>The stored schema, metadata included, read from the partition's first file.</summary>
    private Schema SchemaOf(DatasetPartition partition)
    {
        PartitionInfo info = _dataset.Manifest.PartitionOf(partition);
        if (info.Files.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, $"{DatasetManifest.FileName} lists no files for partition '{info.Name}'"));
        }

        string path = Path.Combine(_dataset.Directory, info.Files[0].Path);
        try
        {
            using var reader = new ArrowFileReader(File.OpenRead(path), s_codecs);
            return reader.Schema;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw DataLoss(partition, e);
        }
    }

    private static string NameOf(FlightDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Type == FlightDescriptorType.Path ? string.Join('/', descriptor.Paths) : descriptor.Command.ToStringUtf8();
    }

    private static DatasetPartition Resolve(string name, string what)
    {
        foreach (DatasetPartition partition in Enum.GetValues<DatasetPartition>())
        {
            if (DatasetManifest.PartitionName(partition) == name)
            {
                return partition;
            }
        }

        string known = string.Join(", ", Enum.GetValues<DatasetPartition>().Select(DatasetManifest.PartitionName));
        throw new RpcException(new Status(StatusCode.NotFound, $"{what} '{name}': no such partition; this dataset has {known}"));
    }

    /// <summary>The client learns which partition failed; the log (the operator) learns which file and why.</summary>
    private RpcException DataLoss(DatasetPartition partition, Exception e)
    {
        string name = DatasetManifest.PartitionName(partition);
        LogUnreadable(_logger, name, e.Message);
        return new RpcException(new Status(StatusCode.DataLoss, $"partition '{name}': the server cannot read its stored data (details in the server's log)"));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Flight: partition {Partition} cannot be read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string partition, string reason);

    private static RpcException ReadOnly(string method) =>
        new(new Status(StatusCode.Unimplemented, $"{method}: this server streams a dataset read-only"));
}
