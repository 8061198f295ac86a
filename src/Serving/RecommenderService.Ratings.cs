using Grpc.Core;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving;

/// <summary>
/// The calls for people and movies outside the training users: recommendations and predictions from ratings given in
/// the request (exact through the batcher for rating-vector graphs, by fold-in for factor models), and similar movies.
/// </summary>
public sealed partial class RecommenderService
{
    public override Task<RecommendResponse> RecommendForRatings(RecommendForRatingsRequest request, ServerCallContext context) =>
        ExecuteAsync(nameof(RecommendForRatings), request.Model, context,
            () => RequestValidation.CheckRecommendForRatings(request, _options.MaxPredictMovies),
            model => RecommendForRatings(model, request, context.CancellationToken));

    public override Task<PredictResponse> PredictForRatings(PredictForRatingsRequest request, ServerCallContext context) =>
        ExecuteAsync(nameof(PredictForRatings), request.Model, context,
            () => RequestValidation.CheckPredictForRatings(request, _options.MaxPredictMovies),
            model => PredictForRatings(model, request, context.CancellationToken));

    public override Task<SimilarMoviesResponse> SimilarMovies(SimilarMoviesRequest request, ServerCallContext context) =>
        ExecuteAsync(nameof(SimilarMovies), request.Model, context, () => RequestValidation.CheckSimilarMovies(request),
            model => Task.FromResult(SimilarMovies(model, request)));

    private static Task<RecommendResponse> RecommendForRatings(ServedModel model, RecommendForRatingsRequest request, CancellationToken cancellationToken)
    {
        ModelArtifacts artifacts = model.Artifacts;
        (short[] movies, byte[] stars) = RequestValidation.CheckRatings(request.Ratings, artifacts);
        var response = new RecommendResponse { Model = model.Name };
        ReadOnlyMemory<short> exclude = request.IncludeRated ? ReadOnlyMemory<short>.Empty : movies;
        if (model.Scorer.ReadsRatingVector)
        {
            return model.Scores.Submit(UserInput.FromRatings(movies, stars), ReadOnlyMemory<int>.Empty, scores =>
            {
                AddTop(response.Movies, artifacts, scores, exclude.Span, request.K);
                return response;
            }, cancellationToken);
        }

        MovieFactorTable factors = FoldInTable(model);
        float[] user = factors.FoldIn(movies, stars, cancellationToken);
        float[] all = new float[artifacts.MovieCount];
        factors.ScoreAll(user, all);
        AddTop(response.Movies, artifacts, all, exclude.Span, request.K);
        return Task.FromResult(response);
    }

    private static async Task<PredictResponse> PredictForRatings(ServedModel model, PredictForRatingsRequest request, CancellationToken cancellationToken)
    {
        ModelArtifacts artifacts = model.Artifacts;
        (short[] movies, byte[] stars) = RequestValidation.CheckRatings(request.Ratings, artifacts);
        int[] targets = new int[request.MovieIds.Count];
        RequestValidation.CheckMovieIds(request.MovieIds, artifacts, targets);
        var response = new PredictResponse { Model = model.Name };
        if (model.Scorer.ReadsRatingVector)
        {
            float[] ratings = await model.Pairs.Submit(UserInput.FromRatings(movies, stars), targets, scores => scores.ToArray(), cancellationToken)
                .ConfigureAwait(false);
            AddRatings(response, model, targets, i => ratings[i], clip: model.PredictsRatings);
            return response;
        }

        MovieFactorTable factors = FoldInTable(model);
        float[] user = factors.FoldIn(movies, stars, cancellationToken);
        AddRatings(response, model, targets, i => factors.Score(user, targets[i]), clip: model.PredictsRatings);
        return response;
    }

    private static SimilarMoviesResponse SimilarMovies(ServedModel model, SimilarMoviesRequest request)
    {
        ModelArtifacts artifacts = model.Artifacts;
        int movie = artifacts.MovieIndexOf(request.MovieId);
        if (movie < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"movie_id: unknown movie id {request.MovieId} (not in the model's catalog of {artifacts.MovieCount} movies)"));
        }

        if (model.Scorer.Factors is not { FactorCount: > 0 } factors)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"model: '{model.Name}' ({artifacts.Manifest.Name}) has no movie factors in its graph; SimilarMovies needs a factor model"));
        }

        var response = new SimilarMoviesResponse { Model = model.Name, Movie = Scored(artifacts, movie, 0f) };
        float[] similarities = new float[artifacts.MovieCount];
        factors.Cosines(movie, similarities);
        AddTop(response.Movies, artifacts, similarities, [(short)movie], request.K);
        return response;
    }

    private static MovieFactorTable FoldInTable(ServedModel model) =>
        model.Scorer.Factors ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
            $"model: '{model.Name}' ({model.Artifacts.Manifest.Name}) reads neither a rating vector nor movie factors, so it cannot score a new person"));
}
