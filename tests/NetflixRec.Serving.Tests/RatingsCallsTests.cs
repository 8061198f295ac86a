using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// RecommendForRatings / PredictForRatings (fold-in for factor models) and SimilarMovies over the real server: a
/// training user described by their own ratings is recognized, similarity is symmetric and leaves the movie out, and
/// bad requests get INVALID_ARGUMENT naming the field.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class RatingsCallsTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public RatingsCallsTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf), ("bias", models.Bias));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RecommendForRatings_TrainingUsersOwnRatings_OverlapsTheirTop10()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        // The most active users: enough ratings for the fold-in to pin their factors down.
        int[] users = [.. Enumerable.Range(0, _artifacts.UserCount).OrderByDescending(u => _artifacts.RatedMovies(u).Length).Take(5)];
        var overlaps = new List<int>();
        foreach (int user in users)
        {
            RecommendResponse known = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[user], K = 10, Model = "mf" });
            RecommendResponse folded = await server.Client.RecommendForRatingsAsync(RatingsOf(user, k: 10));

            Assert.Equal(10, folded.Movies.Count);
            Assert.All(folded.Movies, m => Assert.False(string.IsNullOrEmpty(m.Title)));
            overlaps.Add(known.Movies.Select(m => m.MovieId).Intersect(folded.Movies.Select(m => m.MovieId)).Count());
        }

        Assert.True(overlaps.Average() >= 8, $"top-10 overlaps {string.Join(", ", overlaps)}");
    }

    [Fact]
    public async Task PredictForRatings_TrainingUsersOwnRatings_CloseToTheirPredictions()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int user = Enumerable.Range(0, _artifacts.UserCount).MaxBy(u => _artifacts.RatedMovies(u).Length);
        int[] movies = [.. _artifacts.MovieIds.Take(20)];
        var known = new PredictRequest { CustomerId = _artifacts.CustomerIds[user], Model = "mf" };
        known.MovieIds.Add(movies);
        var fresh = new PredictForRatingsRequest { Model = "mf" };
        fresh.Ratings.Add(RatingsOf(user, k: 1).Ratings);
        fresh.MovieIds.Add(movies);

        PredictResponse expected = await server.Client.PredictAsync(known);
        PredictResponse folded = await server.Client.PredictForRatingsAsync(fresh);

        Assert.Equal(movies, folded.Movies.Select(m => m.MovieId));
        double meanAbs = expected.Ratings.Zip(folded.Ratings, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanAbs < 0.1, $"mean |fold-in − trained| {meanAbs:F3}");
        Assert.All(folded.Ratings, r => Assert.InRange(r, 1f, 5f));
    }

    [Fact]
    public async Task RecommendForRatings_BiasModel_FoldsInTheBiasAndLeavesOutRatedMovies()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        RecommendForRatingsRequest request = RatingsOf(0, k: 50);
        request.Model = "bias";

        RecommendResponse response = await server.Client.RecommendForRatingsAsync(request);

        Assert.Equal(50, response.Movies.Count);
        Assert.DoesNotContain(response.Movies, m => request.Ratings.Any(r => r.MovieId == m.MovieId));
        Assert.Equal(response.Movies.Select(m => m.Score).OrderByDescending(s => s), response.Movies.Select(m => m.Score));
    }

    [Fact]
    public async Task SimilarMovies_Symmetric_ExcludesTheMovieItself()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int movie = _artifacts.MovieIds[_artifacts.Popularity[0]];

        SimilarMoviesResponse similar = await server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = movie, K = 1000, Model = "mf" });

        Assert.Equal(movie, similar.Movie.MovieId);
        Assert.False(string.IsNullOrEmpty(similar.Movie.Title));
        Assert.Equal(_artifacts.MovieCount - 1, similar.Movies.Count);
        Assert.DoesNotContain(similar.Movies, m => m.MovieId == movie);
        Assert.All(similar.Movies, m => Assert.InRange(m.Score, -1.0001f, 1.0001f));
        foreach (ScoredMovie neighbour in similar.Movies.Take(3).Concat(similar.Movies.TakeLast(2)))
        {
            SimilarMoviesResponse back = await server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = neighbour.MovieId, K = 1000, Model = "mf" });
            Assert.Equal(neighbour.Score, back.Movies.Single(m => m.MovieId == movie).Score); // the same cosine, bit for bit
        }
    }

    [Fact]
    public async Task SimilarMovies_ModelWithoutFactors_FailedPrecondition()
    {
        await using TestServer server = await TestServer.StartAsync(_root);

        RpcException e = await Assert.ThrowsAsync<RpcException>(() =>
            server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = _artifacts.MovieIds[0], K = 5, Model = "bias" }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.StartsWith("model:", e.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadRecommendForRatings => new()
    {
        { "empty", "ratings" },
        { "unknown", "ratings[1].movie_id" },
        { "duplicate", "ratings[2].movie_id" },
        { "stars0", "ratings[0].stars" },
        { "stars6", "ratings[1].stars" },
        { "k0", "k" },
        { "k1001", "k" },
    };

    [Theory]
    [MemberData(nameof(BadRecommendForRatings))]
    public async Task RecommendForRatings_BadInput_InvalidArgumentNamingTheField(string bad, string field)
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int[] ids = _artifacts.MovieIds;
        var request = new RecommendForRatingsRequest { K = 10, Model = "mf" };
        request.Ratings.Add([Rating(ids[0], 4), Rating(ids[1], 3), Rating(ids[2], 5)]);
        switch (bad)
        {
            case "empty": request.Ratings.Clear(); break;
            case "unknown": request.Ratings[1].MovieId = ids[^1] + 1000; break;
            case "duplicate": request.Ratings[2].MovieId = ids[0]; break;
            case "stars0": request.Ratings[0].Stars = 0; break;
            case "stars6": request.Ratings[1].Stars = 6; break;
            case "k0": request.K = 0; break;
            case "k1001": request.K = 1001; break;
        }

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => server.Client.RecommendForRatingsAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith(field + ":", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictForRatingsAndSimilarMovies_BadInput_InvalidArgumentNamingTheField()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        int[] ids = _artifacts.MovieIds;
        var noTargets = new PredictForRatingsRequest { Model = "mf" };
        noTargets.Ratings.Add(Rating(ids[0], 4));
        var unknownTarget = new PredictForRatingsRequest { Model = "mf" };
        unknownTarget.Ratings.Add(Rating(ids[0], 4));
        unknownTarget.MovieIds.Add([ids[1], -5]);

        (Func<Task> Call, string Field)[] cases =
        [
            (() => server.Client.PredictForRatingsAsync(noTargets).ResponseAsync, "movie_ids"),
            (() => server.Client.PredictForRatingsAsync(unknownTarget).ResponseAsync, "movie_ids[1]"),
            (() => server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = ids[^1] + 1000, K = 5, Model = "mf" }).ResponseAsync, "movie_id"),
            (() => server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = 0, K = 5, Model = "mf" }).ResponseAsync, "movie_id"),
            (() => server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = ids[0], K = 0, Model = "mf" }).ResponseAsync, "k"),
        ];
        foreach ((Func<Task> call, string field) in cases)
        {
            RpcException e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.StartsWith(field + ":", e.Status.Detail, StringComparison.Ordinal);
        }

        // The server goes on answering.
        Assert.Equal(5, (await server.Client.SimilarMoviesAsync(new SimilarMoviesRequest { MovieId = ids[0], K = 5, Model = "mf" })).Movies.Count);
    }

    private RecommendForRatingsRequest RatingsOf(int user, int k)
    {
        var request = new RecommendForRatingsRequest { K = k, Model = "mf" };
        ReadOnlySpan<short> movies = _artifacts.RatedMovies(user);
        ReadOnlySpan<byte> stars = _artifacts.Ratings(user);
        for (int i = 0; i < movies.Length; i++)
        {
            request.Ratings.Add(Rating(_artifacts.MovieIds[movies[i]], stars[i]));
        }

        return request;
    }

    private static MovieRating Rating(int movieId, int stars) => new() { MovieId = movieId, Stars = stars };
}
