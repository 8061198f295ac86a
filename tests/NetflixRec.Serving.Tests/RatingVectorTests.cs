using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;
using NetflixRec.Training.Export;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// Models that take the user's rating vector (autoencoders): the server must build it from history.arrow. The graph
/// here is the exporter's contract with the simplest body, scores = user_ratings, so every answer is checkable by hand.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class RatingVectorTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public RatingVectorTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("echo", models.BiasedMf));
        string directory = Path.Combine(_root, "echo");
        WriteEchoGraph(directory);
        _artifacts = ModelArtifacts.Load(directory);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Recommend_RatingVectorModel_ScoresAreTheCustomersOwnStars()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int user = 4;
        int rated = _artifacts.RatedMovies(user).Length;

        RecommendResponse withRated = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = rated, Model = "echo", IncludeRated = true });
        RecommendResponse unrated = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = 3, Model = "echo" });

        int[] expected = [.. _artifacts.RatedMovies(user).ToArray().Select(m => _artifacts.MovieIds[m]).Order()];
        Assert.Equal(expected, withRated.Movies.Select(m => m.MovieId).Order());
        byte maxStars = _artifacts.Ratings(user).ToArray().Max();
        Assert.Equal(maxStars, withRated.Movies[0].Score);
        Assert.All(unrated.Movies, m => Assert.Equal(0f, m.Score));
    }

    [Fact]
    public async Task Predict_RankingScores_ReturnedUnclipped()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int user = 4;
        int ratedMovie = _artifacts.RatedMovies(user)[0];
        int unratedMovie = Enumerable.Range(0, _artifacts.MovieCount).First(m => !_artifacts.RatedMovies(user).Contains((short)m));
        var request = new PredictRequest { CustomerId = _artifacts.CustomerIds[user], Model = "echo" };
        request.MovieIds.Add([_artifacts.MovieIds[ratedMovie], _artifacts.MovieIds[unratedMovie]]);

        PredictResponse response = await server.Client.PredictAsync(request);

        Assert.Equal([_artifacts.Ratings(user)[0], 0f], response.Ratings);
    }

    /// <summary>Replaces the directory's graph by scores = user_ratings (a ranking model reading the rating vector).</summary>
    [Fact]
    public async Task RecommendForRatings_RatingVectorModel_ExactlyTheGivenStars()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int[] ids = _artifacts.MovieIds;
        var request = new RecommendForRatingsRequest { K = 3, Model = "echo", IncludeRated = true };
        request.Ratings.Add([new MovieRating { MovieId = ids[4], Stars = 2 }, new MovieRating { MovieId = ids[7], Stars = 5 }, new MovieRating { MovieId = ids[9], Stars = 3 }]);
        var predict = new PredictForRatingsRequest { Model = "echo" };
        predict.Ratings.Add(request.Ratings);
        predict.MovieIds.Add([ids[9], ids[1]]);

        RecommendResponse top = await server.Client.RecommendForRatingsAsync(request);
        request.IncludeRated = false;
        RecommendResponse unrated = await server.Client.RecommendForRatingsAsync(request);
        PredictResponse ratings = await server.Client.PredictForRatingsAsync(predict);

        Assert.Equal([ids[7], ids[9], ids[4]], top.Movies.Select(m => m.MovieId));
        Assert.Equal([5f, 3f, 2f], top.Movies.Select(m => m.Score));
        Assert.All(unrated.Movies, m => Assert.Equal(0f, m.Score));
        Assert.Equal([3f, 0f], ratings.Ratings);
        Assert.Equal("exact", (await server.Client.ListModelsAsync(new ListModelsRequest())).Models.Single().RatingsInput);
    }

    [Fact]
    public async Task SimilarMovies_RatingVectorModel_FailedPrecondition()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        Grpc.Core.RpcException e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = _artifacts.MovieIds[0], K = 5, Model = "echo" }).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, e.StatusCode);
    }

    private static void WriteEchoGraph(string directory)
    {
        string manifestPath = Path.Combine(directory, ModelDirectory.Manifest);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        var graph = new OnnxGraphBuilder("echo");
        (string user, string row, string movie) = ServingGraph.RatingVectorInputs(graph, manifest.Movies);
        string scores = graph.Node("Identity", [user], OnnxContract.Scores);
        graph.GatherPairs(scores, row, movie, OnnxContract.PairScores);
        ServingGraph.Outputs(graph, manifest.Movies);
        var exported = new ExportedGraph(graph.Build(), OnnxContract.RatingVectorInput, OnnxContract.RankingScores);
        (long bytes, string sha256) = OnnxModelFile.Write(
            OnnxModelFile.Assemble(exported, new OnnxModelFacts("echo", manifest.Family, manifest.Users, manifest.Movies, manifest.DataFingerprint)),
            Path.Combine(directory, ModelDirectory.Onnx));
        (IReadOnlyList<OnnxTensorInfo> inputs, IReadOnlyList<OnnxTensorInfo> outputs) = ServingGraph.Signature(OnnxContract.RatingVectorInput, manifest.Movies);
        OnnxSignature signature = manifest.Onnx! with
        {
            UserInput = OnnxContract.RatingVectorInput, Inputs = inputs, Outputs = outputs, Bytes = bytes, ScoreKind = OnnxContract.RankingScores, Sha256 = sha256,
        };
        File.WriteAllText(manifestPath, (manifest with { Name = "echo", Onnx = signature }).ToJson());
    }
}
