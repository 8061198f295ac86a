using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NetflixRec.Training.Data.Flight;

/// <summary>
/// With an API key set, every Flight call must carry <c>authorization: Bearer KEY</c>; others get UNAUTHENTICATED before
/// anything is read. The same rule and message as the serving process's key check; the comparison takes the same time
/// whatever the key's prefix.
/// </summary>
internal sealed class FlightApiKeyInterceptor(FlightServerSecurity security) : Interceptor
{
    private readonly byte[]? _expected = security.ApiKey is null ? null : Encoding.UTF8.GetBytes("Bearer " + security.ApiKey);

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

    private void Authenticate(ServerCallContext context)
    {
        if (_expected is null)
        {
            return;
        }

        string? authorization = context.RequestHeaders.GetValue("authorization");
        if (authorization is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authorization: missing or wrong API key (expected 'authorization: Bearer KEY')"));
        }
    }
}
