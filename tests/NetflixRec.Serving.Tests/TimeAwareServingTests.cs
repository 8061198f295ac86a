using NetflixRec.Contracts.V1;
using NetflixRec.Training.Models;

namespace NetflixRec.Serving.Tests;

/// <summary>A time-aware graph (extra <c>day</c> input) is served: requests carry no date, so each customer is scored on
/// their latest training day, exactly as the trained model predicts in process without a day.</summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class TimeAwareServingTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TrainedModels _models;

    public TimeAwareServingTests(TrainedModels models) => _models = models;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Predict_TimeBias_EqualsTheModelWithoutADate()
    {
        string root = _models.CreateModelsRoot(_directory, ("time", _models.TimeBias));
        ModelArtifacts artifacts = ModelArtifacts.Load(_models.TimeBias);
        IRatingModel model = ModelStore.Load(_models.TimeBias).Model;
        await using TestServer server = await TestServer.StartAsync(root);

        foreach (int user in new[] { 0, 3, 17 })
        {
            short[] movies = [0, 5, 9, 12];
            var request = new PredictRequest { CustomerId = artifacts.CustomerIds[user], Model = "time" };
            request.MovieIds.Add(movies.Select(m => artifacts.MovieIds[m]));
            var expected = new float[movies.Length];
            model.Predict([.. movies.Select(_ => user)], movies, expected);

            PredictResponse response = await server.Client.PredictAsync(request);

            for (int i = 0; i < movies.Length; i++)
            {
                Assert.True(Math.Abs(response.Ratings[i] - Math.Clamp(expected[i], 1f, 5f)) <= 1e-4,
                    $"user {user}, movie {movies[i]}: served {response.Ratings[i]}, model {expected[i]}");
            }
        }
    }

    [Fact]
    public async Task Recommend_TimeBias_BatchedCallsAnswerLikeSingleOnes()
    {
        string root = _models.CreateModelsRoot(_directory, ("time", _models.TimeBias));
        ModelArtifacts artifacts = ModelArtifacts.Load(_models.TimeBias);
        await using TestServer server = await TestServer.StartAsync(root);
        RecommendRequest Request(int user) => new() { CustomerId = artifacts.CustomerIds[user], K = 10, Model = "time" };

        RecommendResponse single = await server.Client.RecommendAsync(Request(4));
        RecommendResponse[] concurrent = await Task.WhenAll(Enumerable.Range(0, 16).Select(u => server.Client.RecommendAsync(Request(u)).ResponseAsync));

        Assert.Equal(10, single.Movies.Count);
        Assert.Equal(single.Movies, concurrent[4].Movies);
    }

    [Fact]
    public async Task RatingsCallsAndSimilarMovies_TimeBias_FailedPrecondition()
    {
        // Fold-in would leave out the movie's time-bin bias, so a time-aware graph offers neither call.
        string root = _models.CreateModelsRoot(_directory, ("time", _models.TimeBias));
        ModelArtifacts artifacts = ModelArtifacts.Load(_models.TimeBias);
        await using TestServer server = await TestServer.StartAsync(root);
        var ratings = new RecommendForRatingsRequest { K = 5, Model = "time" };
        ratings.Ratings.Add(new MovieRating { MovieId = artifacts.MovieIds[0], Stars = 5 });

        var e1 = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => server.Client.RecommendForRatingsAsync(ratings).ResponseAsync);
        var e2 = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = artifacts.MovieIds[0], K = 5, Model = "time" }).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, e1.StatusCode);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, e2.StatusCode);
    }
}
