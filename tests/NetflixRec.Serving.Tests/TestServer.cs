using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

/// <summary>A real serving process in-process: Kestrel on loopback ports chosen by the OS, a gRPC client channel to it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri grpc, Uri? metrics, HttpMessageHandler? handler)
    {
        _app = app;
        Address = grpc;
        MetricsAddress = metrics;
        Channel = GrpcChannel.ForAddress(grpc, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 64 << 20 });
        Client = new Recommender.RecommenderClient(Channel);
    }

    public Uri Address { get; }
    public Uri? MetricsAddress { get; }
    public GrpcChannel Channel { get; }
    public Recommender.RecommenderClient Client { get; }
    public ModelRegistry Registry => _app.Services.GetRequiredService<ModelRegistry>();

    /// <summary>Starts a server over <paramref name="modelsRoot"/> with fast rescans; extra options are appended.</summary>
    public static async Task<TestServer> StartAsync(string modelsRoot, string[]? extra = null, string scheme = "http", HttpMessageHandler? handler = null)
    {
        string[] args =
        [
            "--models", modelsRoot, "--urls", $"{scheme}://127.0.0.1:0", "--metrics-urls", "http://127.0.0.1:0",
            "--execution-provider", "cpu", "--poll-ms", "200", "--settle-ms", "100", "--Logging:LogLevel:Default", "Warning",
            .. extra ?? [],
        ];
        WebApplication app = ServingApp.Build(args);
        await app.StartAsync();
        ServingEndpoints endpoints = app.Services.GetRequiredService<ServingEndpoints>();
        return new TestServer(app, endpoints.Grpc[0], endpoints.Metrics, handler);
    }

    /// <summary>Waits until a scan reports (or the registry already shows) what <paramref name="done"/> asks for.</summary>
    public async Task WaitForAsync(Func<ModelRegistry.ScanResult, bool> done, TimeSpan timeout)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<ModelRegistry.ScanResult> handler = result =>
        {
            if (done(result))
            {
                completion.TrySetResult();
            }
        };
        Registry.Scanned += handler;
        try
        {
            Registry.Wake();
            await completion.Task.WaitAsync(timeout);
        }
        finally
        {
            Registry.Scanned -= handler;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
