using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class OperationsTests : IDisposable
{
    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public OperationsTests(TrainedModels models)
    {
        _models = models;
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf), ("bias", models.Bias));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ListModels_TwoModels_ManifestsProviderAndDefault()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        ListModelsResponse response = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(["bias", "mf"], response.Models.Select(m => m.Name));
        Assert.Equal(_models.BiasIsBest ? "bias" : "mf", response.DefaultModel);
        Assert.Equal("CPUExecutionProvider", response.ExecutionProvider);
        ModelInfo mf = response.Models[1];
        Assert.Equal("biased-mf", mf.Kind);
        Assert.Equal("mf", mf.Family);
        Assert.Equal(_artifacts.MovieCount, mf.Movies);
        Assert.Equal(_artifacts.UserCount, mf.Users);
        Assert.True(mf.Metrics.ContainsKey("rmse"));
        Assert.NotEmpty(mf.Dims);
        Assert.Equal("index", mf.UserInput);
        Assert.Equal(17, mf.OnnxOpset);
        Assert.Equal("CPUExecutionProvider", mf.ExecutionProvider);
        Assert.False(string.IsNullOrEmpty(mf.Version));
    }

    [Fact]
    public async Task Health_ModelsLoaded_ServingForServerAndRecommender()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var health = new Health.HealthClient(server.Channel);

        HealthCheckResponse overall = await health.CheckAsync(new HealthCheckRequest());
        HealthCheckResponse recommender = await health.CheckAsync(new HealthCheckRequest { Service = "netflixrec.v1.Recommender" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, recommender.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesRecommenderAndHealth()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);
        using AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        string[] services = [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];

        Assert.Contains("netflixrec.v1.Recommender", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Metrics_AfterCalls_PrometheusShowsRequestsLatencyAndProvider()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3, Model = "mf" });
        await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 0 }).ResponseAsync);
        using var http = new HttpClient();

        string text = await ScrapeUntilAsync(http, new Uri(server.MetricsAddress!, "/metrics"), "netflixrec_serving_requests");

        Assert.Contains("method=\"Recommend\"", text, StringComparison.Ordinal);
        Assert.Contains("model=\"mf\"", text, StringComparison.Ordinal);
        Assert.Contains("status=\"InvalidArgument\"", text, StringComparison.Ordinal);
        Assert.Contains("netflixrec_serving_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("netflixrec_serving_execution_provider", text, StringComparison.Ordinal);
        Assert.Contains("provider=\"CPUExecutionProvider\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_UnknownModelNames_LabelledAsOneBucketNeverAsTheClientsString()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        string[] names = [.. Enumerable.Range(0, 40).Select(i => $"no-such-model-{i}-{Guid.NewGuid():N}")];
        foreach (string name in names)
        {
            // Unknown model (NotFound), and unknown model on an invalid request (InvalidArgument before the lookup).
            await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3, Model = name }).ResponseAsync);
            await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 0, Model = name }).ResponseAsync);
            var predict = new PredictRequest { CustomerId = _artifacts.CustomerIds[0], Model = name };
            predict.MovieIds.Add(_artifacts.MovieIds[0]);
            await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(predict).ResponseAsync);
        }

        await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3, Model = "bias" });
        await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 0, Model = "bias" }).ResponseAsync);
        using var http = new HttpClient();

        string text = await ScrapeUntilAsync(http, new Uri(server.MetricsAddress!, "/metrics"), "model=\"unknown\"");
        string[] labels = [.. System.Text.RegularExpressions.Regex.Matches(text, "netflixrec_serving_requests_total\\{[^}]*model=\"([^\"]*)\"")
            .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal)];

        Assert.DoesNotContain("no-such-model", text, StringComparison.Ordinal);
        Assert.Equal(["bias", "unknown"], labels);
        Assert.Contains("model=\"bias\",status=\"InvalidArgument\"", text.Replace("method=\"Recommend\",", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_MissingOrWrong_UnauthenticatedWhileRightKeyAndHealthPass()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--api-key", "s3cret"]);
        var request = new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3 };

        RpcException missing = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(request).ResponseAsync);
        RpcException wrong = await Assert.ThrowsAsync<RpcException>(() =>
            server.Client.RecommendAsync(request, new Metadata { { "authorization", "Bearer nope" } }).ResponseAsync);
        RpcException listing = await Assert.ThrowsAsync<RpcException>(() => server.Client.ListModelsAsync(new ListModelsRequest()).ResponseAsync);
        RecommendResponse ok = await server.Client.RecommendAsync(request, new Metadata { { "authorization", "Bearer s3cret" } });
        HealthCheckResponse health = await new Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        using var http = new HttpClient();
        HttpResponseMessage metricsWithoutKey = await http.GetAsync(new Uri(server.MetricsAddress!, "/metrics"));
        using var withKey = new HttpRequestMessage(HttpMethod.Get, new Uri(server.MetricsAddress!, "/metrics"));
        withKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        HttpResponseMessage metricsWithKey = await http.SendAsync(withKey);

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, listing.StatusCode);
        Assert.Equal(3, ok.Movies.Count);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, metricsWithoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metricsWithKey.StatusCode);
    }

    [Fact]
    public async Task Tls_PemCertificate_RecommendOverHttps()
    {
        (string cert, string key) = WriteSelfSignedPem();
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        await using TestServer server = await TestServer.StartAsync(_root, ["--tls-cert", cert, "--tls-key", key], scheme: "https", handler: handler);

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3 });

        Assert.Equal("https", server.Address.Scheme);
        Assert.Equal(3, response.Movies.Count);
    }

    [Fact]
    public void Build_HttpsWithoutCertificate_ArgumentExceptionNamingUrls()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ServingApp.Build(["--models", _root, "--urls", "https://127.0.0.1:0"]));

        Assert.StartsWith("--urls:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SubMillisecondQueueDelay_ArgumentExceptionNamingTheOption()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ServingApp.Build(["--models", _root, "--max-queue-delay-us", "250"]));
        Assert.Contains("--max-queue-delay-us", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MissingModelsFolder_ArgumentExceptionNamingModels()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ServingApp.Build(["--models", _directory.Combine("absent")]));

        Assert.StartsWith("--models:", e.Message, StringComparison.Ordinal);
    }

    private (string Cert, string Key) WriteSelfSignedPem()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string cert = _directory.Combine("server.crt");
        string key = _directory.Combine("server.key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient http, Uri uri, string needle)
    {
        // The Prometheus exporter caches a scrape briefly; retry until the fresh counters show.
        string text = string.Empty;
        for (int attempt = 0; attempt < 100 && !text.Contains(needle, StringComparison.Ordinal); attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(100);
            }

            text = await http.GetStringAsync(uri);
        }

        return text;
    }
}
