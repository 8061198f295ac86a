using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving;

/// <summary>Request checks that a client can fail: each throws INVALID_ARGUMENT with a message naming the field.</summary>
public static class RequestValidation
{
    public static void CheckRecommend(RecommendRequest request)
    {
        CheckCustomer(request.CustomerId);
        if (request.K is < 1 or > ServingOptions.MaxK)
        {
            throw Invalid($"k: must be in 1..{ServingOptions.MaxK}, got {request.K}");
        }
    }

    /// <summary>Checks the request and maps its MovieIDs to the model's movie indices (into <paramref name="indices"/>).</summary>
    public static void CheckPredictMovies(PredictRequest request, ModelArtifacts artifacts, Span<int> indices) =>
        CheckMovieIds(request.MovieIds, artifacts, indices);

    /// <summary>The model-independent part of a Predict check: list length.</summary>
    public static void CheckPredictSize(PredictRequest request, int maxMovies)
    {
        CheckCustomer(request.CustomerId);
        if (request.MovieIds.Count == 0)
        {
            throw Invalid("movie_ids: empty; give at least one MovieID");
        }

        if (request.MovieIds.Count > maxMovies)
        {
            throw Invalid($"movie_ids: {request.MovieIds.Count} ids, at most {maxMovies} per call");
        }
    }

    public static void CheckRecommendForRatings(RecommendForRatingsRequest request, int maxRatings)
    {
        CheckRatingsShape(request.Ratings, maxRatings);
        CheckK(request.K);
    }

    public static void CheckPredictForRatings(PredictForRatingsRequest request, int maxMovies)
    {
        CheckRatingsShape(request.Ratings, maxMovies);
        if (request.MovieIds.Count == 0)
        {
            throw Invalid("movie_ids: empty; give at least one MovieID");
        }

        if (request.MovieIds.Count > maxMovies)
        {
            throw Invalid($"movie_ids: {request.MovieIds.Count} ids, at most {maxMovies} per call");
        }
    }

    public static void CheckSimilarMovies(SimilarMoviesRequest request)
    {
        if (request.MovieId <= 0)
        {
            throw Invalid($"movie_id: must be a positive Netflix MovieID, got {request.MovieId}");
        }

        CheckK(request.K);
    }

    /// <summary>Maps the ratings to movie indices and stars; an unknown or repeated movie is INVALID_ARGUMENT naming
    /// the entry (<c>ratings[3].movie_id</c>).</summary>
    public static (short[] Movies, byte[] Stars) CheckRatings(IReadOnlyList<MovieRating> ratings, ModelArtifacts artifacts)
    {
        var movies = new short[ratings.Count];
        var stars = new byte[ratings.Count];
        var seen = new Dictionary<int, int>(ratings.Count);
        for (int i = 0; i < ratings.Count; i++)
        {
            int id = ratings[i].MovieId;
            int index = artifacts.MovieIndexOf(id);
            if (index < 0)
            {
                throw Invalid($"ratings[{i}].movie_id: unknown movie id {id} (not in the model's catalog of {artifacts.MovieCount} movies)");
            }

            if (!seen.TryAdd(id, i))
            {
                throw Invalid($"ratings[{i}].movie_id: movie {id} is rated twice (also ratings[{seen[id]}])");
            }

            movies[i] = (short)index;
            stars[i] = (byte)ratings[i].Stars;
        }

        return (movies, stars);
    }

    /// <summary>Maps MovieIDs to the model's movie indices (into <paramref name="indices"/>), naming an unknown one.</summary>
    public static void CheckMovieIds(IReadOnlyList<int> movieIds, ModelArtifacts artifacts, Span<int> indices)
    {
        for (int i = 0; i < movieIds.Count; i++)
        {
            int index = artifacts.MovieIndexOf(movieIds[i]);
            if (index < 0)
            {
                throw Invalid($"movie_ids[{i}]: unknown movie id {movieIds[i]} (not in the model's catalog of {artifacts.MovieCount} movies)");
            }

            indices[i] = index;
        }
    }

    private static void CheckRatingsShape(IReadOnlyList<MovieRating> ratings, int maxRatings)
    {
        if (ratings.Count == 0)
        {
            throw Invalid("ratings: empty; give at least one (movie_id, stars)");
        }

        if (ratings.Count > maxRatings)
        {
            throw Invalid($"ratings: {ratings.Count} ratings, at most {maxRatings} per call");
        }

        for (int i = 0; i < ratings.Count; i++)
        {
            if (ratings[i].Stars is < 1 or > 5)
            {
                throw Invalid($"ratings[{i}].stars: must be 1–5, got {ratings[i].Stars}");
            }
        }
    }

    private static void CheckK(int k)
    {
        if (k is < 1 or > ServingOptions.MaxK)
        {
            throw Invalid($"k: must be in 1..{ServingOptions.MaxK}, got {k}");
        }
    }

    private static void CheckCustomer(long customerId)
    {
        if (customerId <= 0)
        {
            throw Invalid($"customer_id: must be a positive Netflix CustomerID, got {customerId}");
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
