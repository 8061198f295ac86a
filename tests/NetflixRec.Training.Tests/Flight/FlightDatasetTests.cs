using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Tests.Flight;

/// <summary>A small multi-file, multi-batch dataset in a temporary directory, served on a loopback port picked by the OS.</summary>
public sealed class FlightDatasetFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"netflixrec-flight-{Guid.NewGuid():N}");

    public LocalDataset Local { get; private set; } = null!;

    public DatasetFlightHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string directory = Path.Combine(_root, "dataset");
        DatasetWriter.Write(Build(seed: 7), directory, StoreOptions.Default with { RowsPerBatch = 500, BatchesPerFile = 3 }, "test");
        Local = LocalDataset.Open(directory);
        Host = await DatasetFlightHost.StartAsync(Local, new Uri("http://127.0.0.1:0"));
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>4,200 train rows (9 batches, 3 files), 1,600 probe rows with an oracle (4 batches, 2 files), 1,100 qualifying.</summary>
    internal static NetflixDataset Build(int seed)
    {
        var random = new Random(seed);
        const int users = 300;
        const int movies = 60;
        int[] customerIds = [.. Enumerable.Range(0, users).Select(i => (i * 37) + random.Next(1, 30))];
        int[] movieIds = [.. Enumerable.Range(1, movies)];
        MovieTitle[] titles = [.. movieIds.Select(id => new MovieTitle(id, id % 7 == 0 ? null : 1950 + id, $"Movie {id}, part {id % 3}"))];
        RatingTable train = Ratings(random, 4200, users, movies);
        RatingTable probe = Ratings(random, 1600, users, movies);
        float[] oracle = [.. Enumerable.Range(0, probe.Count).Select(_ => 1f + (4f * random.NextSingle()))];
        var qualifying = new QueryTable(
            Column(1100, () => random.Next(users)),
            Column(1100, () => (short)random.Next(movies)),
            Column(1100, () => (short)random.Next(12_000, 13_000)));
        return new NetflixDataset(new IdMap(customerIds), new IdMap(movieIds), titles, train, probe, oracle, qualifying);
    }

    private static RatingTable Ratings(Random random, int count, int users, int movies) =>
        new(Column(count, () => random.Next(users)),
            Column(count, () => (short)random.Next(movies)),
            Column(count, () => (byte)random.Next(1, 6)),
            Column(count, () => (short)random.Next(10_957, 13_149)));

    private static T[] Column<T>(int count, Func<T> next) => [.. Enumerable.Range(0, count).Select(_ => next())];
}

public sealed class FlightDatasetTests(FlightDatasetFixture fixture) : IClassFixture<FlightDatasetFixture>
{
    [Theory]
    [InlineData(DatasetPartition.Train)]
    [InlineData(DatasetPartition.Probe)]
    [InlineData(DatasetPartition.Qualifying)]
    public async Task ReadAsync_ServedPartition_EqualsLocalBatchesExactly(DatasetPartition partition)
    {
        await using FlightDataset remote = await FlightDataset.ConnectAsync(fixture.Host.Address);
        List<RecordBatch> expected = await CollectAsync(fixture.Local.ReadAsync(partition));
        List<RecordBatch> actual = await CollectAsync(remote.ReadAsync(partition));
        try
        {
            Assert.True(expected.Count > 1, "the fixture should give every partition several batches");
            Assert.Equal(expected.Count, actual.Count);
            for (int b = 0; b < expected.Count; b++)
            {
                AssertSameSchema(expected[b].Schema, actual[b].Schema);
                Assert.Equal(expected[b].Length, actual[b].Length);
                Assert.Equal(expected[b].ColumnCount, actual[b].ColumnCount);
                for (int c = 0; c < expected[b].ColumnCount; c++)
                {
                    Assert.Equal(0, actual[b].Column(c).NullCount);
                    Assert.Equal(Bytes(expected[b].Column(c)), Bytes(actual[b].Column(c)));
                }
            }
        }
        finally
        {
            expected.ForEach(batch => batch.Dispose());
            actual.ForEach(batch => batch.Dispose());
        }
    }

    [Fact]
    public async Task ReadAsync_ProbeOverFlight_MaterializesToLocalTableAndOracle()
    {
        await using FlightDataset remote = await FlightDataset.ConnectAsync(fixture.Host.Address);
        int rows = checked((int)remote.Manifest.Probe);

        RatingTable table = await RatingBatches.ToTableAsync(remote.ReadAsync(DatasetPartition.Probe), rows);
        ReadOnlyMemory<float> oracle = await RatingBatches.ColumnAsync<float>(remote.ReadAsync(DatasetPartition.Probe), Contracts.DatasetSchema.Oracle, rows);

        RatingTable local = fixture.Local.LoadRatings(DatasetPartition.Probe);
        Assert.Equal(local.Users.ToArray(), table.Users.ToArray());
        Assert.Equal(local.Ratings.ToArray(), table.Ratings.ToArray());
        Assert.Equal(fixture.Local.LoadProbeOracle().ToArray(), oracle.ToArray());
    }

    [Fact]
    public async Task ConnectAsync_ServedDataset_ManifestEqualsLocal()
    {
        await using FlightDataset remote = await FlightDataset.ConnectAsync(fixture.Host.Address);

        Assert.Equal(fixture.Local.Manifest.Fingerprint, remote.Manifest.Fingerprint);
        Assert.Equal(fixture.Local.Manifest.ToJson(), remote.Manifest.ToJson());
        Assert.True(remote.Manifest.HasOracle);
    }

    [Fact]
    public async Task DoGet_UnknownTicket_ThrowsNotFoundNamingIt()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(fixture.Host.Address);
        var client = new FlightClient(channel);
        using FlightRecordBatchStreamingCall call = client.GetStream(new FlightTicket("validation"));

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("'validation'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInfo_UnknownPath_ThrowsNotFound()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(fixture.Host.Address);
        var client = new FlightClient(channel);

        RpcException error = await Assert.ThrowsAsync<RpcException>(async () => await client.GetInfo(FlightDescriptor.CreatePathDescriptor("nope")));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("'nope'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFlights_ServedDataset_DescribesEveryPartition()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(fixture.Host.Address);
        var client = new FlightClient(channel);
        using AsyncServerStreamingCall<FlightInfo> call = client.ListFlights();
        var flights = new List<FlightInfo>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            flights.Add(call.ResponseStream.Current);
        }

        Assert.Equal(["train", "probe", "qualifying"], flights.Select(f => f.Descriptor.Paths.Single()));
        foreach (FlightInfo flight in flights)
        {
            PartitionInfo partition = fixture.Local.Manifest.Partitions.Single(p => p.Name == flight.Descriptor.Paths.Single());
            Assert.Equal(partition.Rows, flight.TotalRecords);
            Assert.Equal(partition.Name, flight.Endpoints.Single().Ticket.Ticket.ToStringUtf8());
            FlightInfo single = await client.GetInfo(FlightDescriptor.CreatePathDescriptor(partition.Name));
            Assert.Equal(partition.Rows, single.TotalRecords);
        }
    }

    [Fact]
    public async Task GetSchema_Probe_IsStoredSchemaWithOracleAndMetadata()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(fixture.Host.Address);
        var client = new FlightClient(channel);

        Schema schema = await client.GetSchema(FlightDescriptor.CreatePathDescriptor("probe"));

        AssertSameSchema(Contracts.DatasetSchema.RatingsWithOracle, schema);
    }

    [Fact]
    public async Task ListActions_ServedDataset_OffersManifest()
    {
        using GrpcChannel channel = GrpcChannel.ForAddress(fixture.Host.Address);
        var client = new FlightClient(channel);
        using AsyncServerStreamingCall<FlightActionType> call = client.ListActions();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(DatasetFlightServer.ManifestAction, call.ResponseStream.Current.Type);
    }

    [Fact]
    public async Task ReadAsync_CancelledMidStream_ThrowsOperationCanceled()
    {
        await using FlightDataset remote = await FlightDataset.ConnectAsync(fixture.Host.Address);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (RecordBatch batch in remote.ReadAsync(DatasetPartition.Train, cancel.Token))
            {
                batch.Dispose();
                await cancel.CancelAsync();
            }
        });

        // The connection and the server are still fine afterwards.
        List<RecordBatch> again = await CollectAsync(remote.ReadAsync(DatasetPartition.Train));
        Assert.Equal(fixture.Local.Manifest.Train, again.Sum(b => (long)b.Length));
        again.ForEach(batch => batch.Dispose());
    }

    [Fact]
    public void StartAsync_PortZero_ReportsBoundLoopbackPort()
    {
        Assert.Equal("127.0.0.1", fixture.Host.Address.Host);
        Assert.NotEqual(0, fixture.Host.Address.Port);
    }

    [Fact]
    public void ServeData_MissingDatasetDirectory_ExitsWithBadInput()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"netflixrec-missing-{Guid.NewGuid():N}");

        Assert.Equal(CliRun.BadInput, CliRun.Guard(() => ServeDataCommand.Run(missing, "http://127.0.0.1:0")));
    }

    private static async Task<List<RecordBatch>> CollectAsync(IAsyncEnumerable<RecordBatch> batches)
    {
        var list = new List<RecordBatch>();
        await foreach (RecordBatch batch in batches)
        {
            list.Add(batch);
        }

        return list;
    }

    private static void AssertSameSchema(Schema expected, Schema actual)
    {
        Assert.Equal(expected.FieldsList.Select(f => f.Name), actual.FieldsList.Select(f => f.Name));
        Assert.Equal(expected.FieldsList.Select(f => f.DataType.TypeId), actual.FieldsList.Select(f => f.DataType.TypeId));
        Assert.Equal(expected.FieldsList.Select(f => f.IsNullable), actual.FieldsList.Select(f => f.IsNullable));
        Assert.Equal(expected.Metadata.OrderBy(kv => kv.Key), actual.Metadata.OrderBy(kv => kv.Key));
    }

    private static byte[] Bytes(IArrowArray array) => array switch
    {
        Int32Array a => MemoryMarshal.AsBytes(a.Values).ToArray(),
        Int16Array a => MemoryMarshal.AsBytes(a.Values).ToArray(),
        UInt8Array a => a.Values.ToArray(),
        FloatArray a => MemoryMarshal.AsBytes(a.Values).ToArray(),
        _ => throw new NotSupportedException(array.Data.DataType.Name),
    };
}
