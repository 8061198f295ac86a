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
    public static void CheckPredictMovies(PredictRequest request, ModelArtifacts artifacts, Span<int> indices)
    {
        for (int i = 0; i < request.MovieIds.Count; i++)
        {
            int index = artifacts.MovieIndexOf(request.MovieIds[i]);
            if (index < 0)
            {
                throw Invalid($"movie_ids[{i}]: unknown movie id {request.MovieIds[i]} (not in the model's catalog of {artifacts.MovieCount} movies)");
            }

            indices[i] = index;
        }
    }

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

    private static void CheckCustomer(long customerId)
    {
        if (customerId <= 0)
        {
            throw Invalid($"customer_id: must be a positive Netflix CustomerID, got {customerId}");
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
