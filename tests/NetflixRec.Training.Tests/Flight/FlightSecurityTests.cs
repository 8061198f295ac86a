using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Tests.Flight;

/// <summary>The Flight endpoint's API key, TLS, public-bind flag, manifest path confinement and path-free errors,
/// each over a real in-process server.</summary>
public sealed class FlightSecurityTests : IDisposable
{
    private const string Key = "s3cret-key";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"netflixrec-flightsec-{Guid.NewGuid():N}");
    private readonly string _dataset;

    public FlightSecurityTests()
    {
        _dataset = Path.Combine(_root, "dataset");
        DatasetWriter.Write(FlightDatasetFixture.Build(seed: 11), _dataset, StoreOptions.Default with { RowsPerBatch = 1000, BatchesPerFile = 2 }, "test");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ConnectAsync_NoKeyToKeyedServer_IsUnauthenticated()
    {
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, null, null, null));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => FlightDataset.ConnectAsync(host.Address));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task ConnectAsync_WrongKey_IsUnauthenticated()
    {
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, null, null, null));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => FlightDataset.ConnectAsync(host.Address, new FlightClientSecurity(Key + "x", null)));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task DoGet_NoKeyToKeyedServer_IsUnauthenticatedBeforeAnyBatch()
    {
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, null, null, null));
        using GrpcChannel channel = GrpcChannel.ForAddress(host.Address);
        var client = new FlightClient(channel);

        using FlightRecordBatchStreamingCall call = client.GetStream(new FlightTicket("train"));
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }

    [Fact]
    public async Task ReadAsync_RightKey_StreamsEveryTrainRow()
    {
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, null, null, null));
        await using FlightDataset remote = await FlightDataset.ConnectAsync(host.Address, new FlightClientSecurity(Key, null));

        long rows = await CountRowsAsync(remote, DatasetPartition.Train);

        Assert.Equal(LocalDataset.Open(_dataset).Manifest.Train, rows);
        Assert.True(rows > 0);
    }

    [Fact]
    public async Task ReadAsync_TlsWithSelfSignedCertificateAndKey_RoundTrips()
    {
        (string certificate, string key) = WriteSelfSignedPem();
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, certificate, key, null), "https://127.0.0.1:0");
        Assert.Equal(Uri.UriSchemeHttps, host.Address.Scheme);

        await using FlightDataset remote = await FlightDataset.ConnectAsync(host.Address, new FlightClientSecurity(Key, certificate));
        long rows = await CountRowsAsync(remote, DatasetPartition.Probe);

        Assert.Equal(LocalDataset.Open(_dataset).Manifest.Probe, rows);
        Assert.Equal(LocalDataset.Open(_dataset).Manifest.Fingerprint, remote.Manifest.Fingerprint);
    }

    [Fact]
    public async Task ConnectAsync_TlsServerNotTrusted_Fails()
    {
        (string certificate, string key) = WriteSelfSignedPem();
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(null, certificate, key, null), "https://127.0.0.1:0");

        // The system store does not know the self-signed certificate: the TLS handshake fails, nothing is read. This
        // channel reports a failed connection as UNAVAILABLE or, since it maps cancellation to exceptions, as cancelled.
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => FlightDataset.ConnectAsync(host.Address));

        Assert.True(e is RpcException { StatusCode: StatusCode.Unavailable } or OperationCanceledException, e.ToString());
    }

    [Fact]
    public async Task StartAsync_HttpsWithoutCertificate_NamesTheOption()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(FlightServerSecurity.None, "https://127.0.0.1:0"));

        Assert.Contains("--tls-cert", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_CertificateWithHttpUrl_IsRefused()
    {
        (string certificate, string key) = WriteSelfSignedPem();

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(new FlightServerSecurity(null, certificate, key, null)));

        Assert.Contains("https://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_LoopbackAndAnyAddress_FlagPublicBindsOnly()
    {
        await using DatasetFlightHost loopback = await StartAsync(FlightServerSecurity.None);
        await using DatasetFlightHost any = await StartAsync(FlightServerSecurity.None, "http://0.0.0.0:0");

        Assert.False(loopback.IsPublic);
        Assert.True(any.IsPublic);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("train/../../outside.arrow")]
    [InlineData("")]
    public void Open_ManifestPathOutsideTheDirectory_IsRefusedNamingTheField(string path)
    {
        RewriteFirstTrainPath(path);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => LocalDataset.Open(_dataset));

        Assert.Contains("partitions[0].files[0].path", e.Message, StringComparison.Ordinal);
        Assert.Contains(DatasetManifest.FileName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ListedFileIsSymlinkLeadingOutside_IsRefused()
    {
        string listed = Path.Combine(_dataset, LocalDataset.Open(_dataset).Manifest.PartitionOf(DatasetPartition.Train).Files[0].Path);
        string outside = Path.Combine(_root, "outside.arrow");
        File.Move(listed, outside);
        File.CreateSymbolicLink(listed, outside);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => LocalDataset.Open(_dataset));

        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ListedFileLinksThroughALinkedFolderOutside_IsRefused()
    {
        // a.arrow → ROOT/evil/outside.arrow looks inside the dataset, but evil → a folder outside it.
        string listed = Path.Combine(_dataset, LocalDataset.Open(_dataset).Manifest.PartitionOf(DatasetPartition.Train).Files[0].Path);
        string elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.Move(listed, Path.Combine(elsewhere, "outside.arrow"));
        Directory.CreateSymbolicLink(Path.Combine(_dataset, "evil"), elsewhere);
        File.CreateSymbolicLink(listed, Path.Combine(_dataset, "evil", "outside.arrow"));

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => LocalDataset.Open(_dataset));

        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DatasetReachedThroughLinkedFolder_Opens()
    {
        string link = Path.Combine(_root, "linked-dataset");
        Directory.CreateSymbolicLink(link, _dataset);

        Assert.Equal(LocalDataset.Open(_dataset).Manifest.Fingerprint, LocalDataset.Open(link).Manifest.Fingerprint);
    }

    [Fact]
    public void ServeData_ManifestPathEscape_ExitsWithBadInput()
    {
        RewriteFirstTrainPath("../../etc/passwd");

        Assert.Equal(CliRun.BadInput, CliRun.Guard(() => ServeDataCommand.Run(_dataset, "http://127.0.0.1:0")));
    }

    [Fact]
    public async Task DoGet_UnreadableFile_IsDataLossWithoutServerPaths()
    {
        await using DatasetFlightHost host = await StartAsync(FlightServerSecurity.None);
        await using FlightDataset remote = await FlightDataset.ConnectAsync(host.Address);
        File.Delete(Path.Combine(_dataset, LocalDataset.Open(_dataset).Manifest.PartitionOf(DatasetPartition.Train).Files[0].Path));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => CountRowsAsync(remote, DatasetPartition.Train));

        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.Contains("'train'", e.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_root, e.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), e.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(".arrow", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSchema_UnreadableFile_IsDataLossWithoutServerPaths()
    {
        await using DatasetFlightHost host = await StartAsync(FlightServerSecurity.None);
        using GrpcChannel channel = GrpcChannel.ForAddress(host.Address);
        var client = new FlightClient(channel);
        File.WriteAllBytes(Path.Combine(_dataset, LocalDataset.Open(_dataset).Manifest.PartitionOf(DatasetPartition.Probe).Files[0].Path), [1, 2, 3]);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => client.GetSchema(FlightDescriptor.CreatePathDescriptor("probe")).ResponseAsync);

        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.DoesNotContain(_root, e.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetTempPath(), e.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc+tls://data.example:5090", "https://data.example:5090/")]
    [InlineData("grpc+tcp://127.0.0.1:5090", "http://127.0.0.1:5090/")]
    [InlineData("grpc://127.0.0.1:5090", "http://127.0.0.1:5090/")]
    [InlineData("https://127.0.0.1:5091", "https://127.0.0.1:5091/")]
    [InlineData("http://127.0.0.1:5090", "http://127.0.0.1:5090/")]
    public void AddressOf_FlightUris_MapToHttpAddresses(string data, string expected)
    {
        Assert.Equal(new Uri(expected), DataSources.AddressOf(data));
    }

    [Theory]
    [InlineData("/work/data/small")]
    [InlineData("relative/dataset")]
    [InlineData("file:///work/data/small")]
    public void AddressOf_Directories_AreNotAddresses(string data)
    {
        Assert.Null(DataSources.AddressOf(data));
    }

    [Fact]
    public async Task DataSourcesOpen_KeyedServerWithoutKey_IsBadInputNamingTheVariable()
    {
        await using DatasetFlightHost host = await StartAsync(new FlightServerSecurity(Key, null, null, null));

        ArgumentException e = Assert.Throws<ArgumentException>(() => DataSources.Open(host.Address.ToString()));

        Assert.Contains(DataSources.ApiKeyVariable, e.Message, StringComparison.Ordinal);
    }

    private Task<DatasetFlightHost> StartAsync(FlightServerSecurity security, string url = "http://127.0.0.1:0") =>
        DatasetFlightHost.StartAsync(LocalDataset.Open(_dataset), new Uri(url), security);

    private static async Task<long> CountRowsAsync(FlightDataset remote, DatasetPartition partition)
    {
        long rows = 0;
        await foreach (RecordBatch batch in remote.ReadAsync(partition))
        {
            rows += batch.Length;
            batch.Dispose();
        }

        return rows;
    }

    private void RewriteFirstTrainPath(string path)
    {
        string manifestPath = Path.Combine(_dataset, DatasetManifest.FileName);
        DatasetManifest manifest = DatasetManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        PartitionInfo train = manifest.Partitions[0];
        PartitionFile first = train.Files[0] with { Path = path };
        PartitionInfo changed = train with { Files = [first, .. train.Files.Skip(1)] };
        File.WriteAllText(manifestPath, (manifest with { Partitions = [changed, .. manifest.Partitions.Skip(1)] }).ToJson());
    }

    /// <summary>A self-signed ECDSA certificate for 127.0.0.1 and localhost, as PEM certificate and key files.</summary>
    private (string Certificate, string Key) WriteSelfSignedPem()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=netflixrec-test", ecdsa, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string certificatePath = Path.Combine(_root, $"cert-{Guid.NewGuid():N}.pem");
        string keyPath = Path.Combine(_root, $"key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, ecdsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
