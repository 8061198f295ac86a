using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class PredictTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public PredictTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Predict_KnownCustomer_RatingsInRequestOrderWithinStars()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[7], Model = "mf" };
        request.MovieIds.Add([_artifacts.MovieIds[4], _artifacts.MovieIds[0], _artifacts.MovieIds[4]]);

        PredictResponse response = await server.Client.PredictAsync(request);

        Assert.Equal("mf", response.Model);
        Assert.False(response.ColdStart);
        Assert.Equal(3, response.Ratings.Count);
        Assert.Equal(response.Ratings[0], response.Ratings[2]);
        Assert.All(response.Ratings, r => Assert.InRange(r, 1f, 5f));
    }

    [Fact]
    public async Task Predict_UnknownCustomer_ColdStartMovieMeans()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var request = new PredictRequest { CustomerId = int.MaxValue, Model = "mf" };
        request.MovieIds.Add([_artifacts.MovieIds[1], _artifacts.MovieIds[2]]);

        PredictResponse response = await server.Client.PredictAsync(request);

        Assert.True(response.ColdStart);
        Assert.Equal([_artifacts.MeanRatings[1], _artifacts.MeanRatings[2]], response.Ratings);
    }

    [Fact]
    public async Task Predict_EmptyMovieIds_InvalidArgumentNamingMovieIds()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(new PredictRequest { CustomerId = 1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("movie_ids:", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_OversizedMovieIds_InvalidArgumentNamingMovieIds()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--max-predict-movies", "10"]);
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[0] };
        request.MovieIds.Add(Enumerable.Repeat(_artifacts.MovieIds[0], 11));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("movie_ids: 11 ids, at most 10", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_UnknownMovieId_InvalidArgumentNamingTheElement()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[0] };
        request.MovieIds.Add([_artifacts.MovieIds[0], 999_999]);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("movie_ids[1]: unknown movie id 999999", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_UnknownModel_NotFound()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[0], Model = "nope" };
        request.MovieIds.Add(_artifacts.MovieIds[0]);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.StartsWith("model: 'nope'", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_MessageOverReceiveLimit_ResourceExhausted()
    {
        await using TestServer server = await TestServer.StartAsync(_root, ["--max-receive-bytes", "1024"]);
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[0] };
        request.MovieIds.Add(Enumerable.Repeat(_artifacts.MovieIds[^1], 2000));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.PredictAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }
}
