using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NetflixRec.Serving;

/// <summary>
/// With --api-key set, every call but the health check must carry <c>authorization: Bearer KEY</c>; others get
/// UNAUTHENTICATED before any work is done. The comparison takes the same time whatever the key's prefix.
/// </summary>
public sealed class ApiKeyInterceptor : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";
    private readonly byte[]? _expected;

    public ApiKeyInterceptor(ServingOptions options)
    {
        _expected = options.ApiKey is null ? null : Encoding.UTF8.GetBytes("Bearer " + options.ApiKey);
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    /// <summary>Whether an <c>authorization</c> header value carries the key (also used for the /metrics endpoint).</summary>
    public bool IsAuthorized(string? authorization) =>
        _expected is null || (authorization is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expected));

    private void Authenticate(ServerCallContext context)
    {
        if (_expected is null || context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return;
        }

        if (!IsAuthorized(context.RequestHeaders.GetValue("authorization")))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authorization: missing or wrong API key (expected 'authorization: Bearer KEY')"));
        }
    }
}
