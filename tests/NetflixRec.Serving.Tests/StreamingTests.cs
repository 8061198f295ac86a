using Grpc.Core;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class StreamingTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public StreamingTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf), ("bias", models.Bias));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RecommendMany_StreamOfRequests_OneResponseEachInOrder()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        using AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> call = server.Client.RecommendMany();
        long[] customers = [_artifacts.CustomerIds[0], _artifacts.CustomerIds[9], 2_000_000_000, _artifacts.CustomerIds[20]];

        Task<List<RecommendResponse>> reading = ReadAllAsync(call.ResponseStream);
        foreach (long customer in customers)
        {
            await call.RequestStream.WriteAsync(new RecommendRequest { CustomerId = customer, K = 4, Model = customer == customers[1] ? "bias" : "mf" });
        }

        await call.RequestStream.CompleteAsync();
        List<RecommendResponse> responses = await reading;

        Assert.Equal(customers, responses.Select(r => r.CustomerId));
        Assert.Equal(["mf", "bias", "mf", "mf"], responses.Select(r => r.Model));
        Assert.Equal([false, false, true, false], responses.Select(r => r.ColdStart));
        Assert.All(responses, r => Assert.Equal(4, r.Movies.Count));
    }

    [Fact]
    public async Task RecommendMany_InvalidMessage_InvalidArgumentNamingTheMessage()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        using AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> call = server.Client.RecommendMany();

        await call.RequestStream.WriteAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2 });
        await call.RequestStream.WriteAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 5000 });
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("request 1: k:", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecommendMany_DeadlinePassesWhileOpen_DeadlineExceededAndServerKeepsServing()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        // The stream stays open with nothing sent (a busy machine cannot make a first answer race the deadline).
        using AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> call = server.Client.RecommendMany(deadline: DateTime.UtcNow.AddMilliseconds(500));

        RpcException e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        RecommendResponse after = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2 });

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal(2, after.Movies.Count);
    }

    [Fact]
    public async Task RecommendMany_ClientCancels_CancelledAndServerKeepsServing()
    {
        await using TestServer server = await TestServer.StartAsync(_root);
        using var cancel = new CancellationTokenSource();
        using AsyncDuplexStreamingCall<RecommendRequest, RecommendResponse> call = server.Client.RecommendMany(cancellationToken: cancel.Token);

        await call.RequestStream.WriteAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2 });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        await cancel.CancelAsync();
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        RecommendResponse after = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = _artifacts.CustomerIds[0], K = 2 });

        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        Assert.Equal(2, after.Movies.Count);
    }

    private static async Task<List<RecommendResponse>> ReadAllAsync(IAsyncStreamReader<RecommendResponse> stream)
    {
        var responses = new List<RecommendResponse>();
        await foreach (RecommendResponse response in stream.ReadAllAsync())
        {
            responses.Add(response);
        }

        return responses;
    }
}
