using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class RecommendTests : IDisposable
{
    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public RecommendTests(TrainedModels models)
    {
        _models = models;
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf), ("bias", models.Bias));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Recommend_KnownCustomer_ReturnsTopKUnratedMoviesBestFirstWithTitles()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int user = 3;
        long customer = _artifacts.CustomerIds[user];

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 10, Model = "mf" });

        Assert.Equal(customer, response.CustomerId);
        Assert.Equal("mf", response.Model);
        Assert.False(response.ColdStart);
        Assert.Equal(10, response.Movies.Count);
        HashSet<int> rated = [.. _artifacts.RatedMovies(user).ToArray().Select(m => _artifacts.MovieIds[m])];
        Assert.DoesNotContain(response.Movies, m => rated.Contains(m.MovieId));
        Assert.Equal(response.Movies.Select(m => m.Score).OrderByDescending(s => s), response.Movies.Select(m => m.Score));
        Assert.All(response.Movies, m => Assert.False(string.IsNullOrEmpty(m.Title)));
        Assert.Equal(10, response.Movies.Select(m => m.MovieId).Distinct().Count());
    }

    [Fact]
    public async Task Recommend_WholeCatalog_RankingAgreesWithPredict()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        long customer = _artifacts.CustomerIds[5];

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = customer, K = 1000, Model = "mf", IncludeRated = true });
        var predict = new PredictRequest { CustomerId = customer, Model = "mf" };
        predict.MovieIds.Add(response.Movies.Select(m => m.MovieId));
        PredictResponse ratings = await server.Client.PredictAsync(predict);

        // Every movie once; the scores output and the pair output of the graph agree (Predict clips to 1..5).
        Assert.Equal(_artifacts.MovieCount, response.Movies.Count);
        for (int i = 0; i < response.Movies.Count; i++)
        {
            Assert.Equal(Math.Clamp(response.Movies[i].Score, 1f, 5f), ratings.Ratings[i], 1e-4);
        }
    }

    [Fact]
    public async Task Recommend_IncludeRatedFalse_LeavesOutEveryRatedMovie()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int user = 0;

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = 1000, Model = "mf" });

        Assert.Equal(_artifacts.MovieCount - _artifacts.RatedMovies(user).Length, response.Movies.Count);
    }

    [Fact]
    public async Task Recommend_UnknownCustomer_ColdStartWithMostRatedMovies()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        long unknown = _artifacts.CustomerIds[^1] + 1;

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = unknown, K = 5, Model = "mf" });

        Assert.True(response.ColdStart);
        Assert.Equal(_artifacts.Popularity.Take(5).Select(m => _artifacts.MovieIds[m]), response.Movies.Select(m => m.MovieId));
        Assert.Equal(response.Movies.Select(m => m.Score).OrderByDescending(s => s), response.Movies.Select(m => m.Score));
    }

    [Fact]
    public async Task Recommend_NoModelField_UsesDefaultLowestRmse()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3 });

        Assert.Equal(_models.BiasIsBest ? "bias" : "mf", response.Model);
    }

    [Theory]
    [InlineData("bias")]
    [InlineData("mf")]
    public async Task Recommend_ConfiguredDefault_UsesIt(string configured)
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--default-model", configured]);

        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 3 });

        Assert.Equal(configured, response.Model);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Recommend_KOutsideRange_InvalidArgumentNamingK(int k)
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = k }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("k:", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_NonPositiveCustomer_InvalidArgumentNamingCustomerId()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = -4, K = 5 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("customer_id:", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_UnknownModel_NotFoundListingLoadedModels()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 5, Model = "svd" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("'svd'", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("bias, mf", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_NoModelsLoaded_UnavailableAndHealthNotServing()
    {
        string empty = _directory.Combine("empty");
        Directory.CreateDirectory(empty);
        await using TestServer server = await TestServer.StartAsync(empty);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendAsync(new RecommendRequest { CustomerId = 1, K = 5 }).ResponseAsync);
        var health = new Grpc.Health.V1.Health.HealthClient(server.Channel);
        Grpc.Health.V1.HealthCheckResponse status = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.DoesNotContain(empty, e.Status.Detail, StringComparison.Ordinal); // no server paths to clients
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, status.Status);
    }

    [Fact]
    public async Task Recommend_DeadlineAlreadyPassed_DeadlineExceededAndServerKeepsServing()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() =>
            server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 5 }, deadline: DateTime.UtcNow.AddMilliseconds(-1)).ResponseAsync);
        RecommendResponse after = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 5 });

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal(5, after.Movies.Count);
    }
}
