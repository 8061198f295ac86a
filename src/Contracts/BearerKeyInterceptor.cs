using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NetflixRec.Contracts;

/// <summary>
/// The API-key rule of both gRPC servers (the recommender and the Flight data endpoint): with a key set, every call must
/// carry <c>authorization: Bearer KEY</c>, others get UNAUTHENTICATED before any work is done; calls whose method starts
/// with <paramref name="exemptMethodPrefix"/> (the health check) pass. The comparison takes the same time whatever the
/// key's prefix.
/// </summary>
public sealed class BearerKeyInterceptor(string? apiKey, string? exemptMethodPrefix = null) : Interceptor
{
    private readonly byte[]? _expected = apiKey is null ? null : Encoding.UTF8.GetBytes("Bearer " + apiKey);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    /// <summary>Whether an <c>authorization</c> header value carries the key (also used for the /metrics endpoint).</summary>
    public bool IsAuthorized(string? authorization) =>
        _expected is null || (authorization is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expected));

    private void Authenticate(ServerCallContext context)
    {
        if (_expected is null || (exemptMethodPrefix is not null && context.Method.StartsWith(exemptMethodPrefix, StringComparison.Ordinal)))
        {
            return;
        }

        if (!IsAuthorized(context.RequestHeaders.GetValue("authorization")))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authorization: missing or wrong API key (expected 'authorization: Bearer KEY')"));
        }
    }
}
