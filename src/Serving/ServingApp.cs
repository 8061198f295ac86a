using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NetflixRec.Contracts;
using OpenTelemetry.Metrics;

namespace NetflixRec.Serving;

/// <summary>
/// Wires the serving process: options, execution provider, model registry, the Recommender service, gRPC health and
/// reflection, metrics with a Prometheus scrape endpoint, the API key check, TLS and message size limits.
/// </summary>
public static class ServingApp
{
    /// <summary>Builds the server from command-line style arguments (see <see cref="ServingOptions"/>); bad options
    /// throw <see cref="ArgumentException"/> naming the option.</summary>
    public static WebApplication Build(string[] args)
    {
        // --urls is ours: the endpoints are bound explicitly (HTTP/2 for gRPC, HTTP/1.1 for metrics), so the host must not
        // see it as its own URL setting (Kestrel would warn that it overrides it).
        string[] renamed = [.. args.Select(a => a == "--urls" ? "--" + ServingOptions.UrlsKey : a.StartsWith("--urls=", StringComparison.Ordinal) ? "--" + ServingOptions.UrlsKey + a[6..] : a)];
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = renamed, ContentRootPath = AppContext.BaseDirectory });
        ServingOptions options = ServingOptions.FromConfiguration(builder.Configuration);
        X509Certificate2? certificate = ServerCertificate.Load(options.TlsCertificate, options.TlsKey, options.TlsPassword);
        var endpoints = new ServingEndpoints();
        builder.WebHost.ConfigureKestrel(kestrel => endpoints.Configure(kestrel, options, certificate));
        if (builder.Configuration["log-format"] == "json")
        {
            builder.Logging.ClearProviders().AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        ExecutionProviderChoice provider = ExecutionProviderChoice.Decide(options.ExecutionProvider, options.IntraOpThreads);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton(provider);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ServingMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), provider,
            () => sp.GetRequiredService<ModelRegistry>().Current.Models.Count));
        builder.Services.AddSingleton<ModelRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelRegistry>());
        // Every call but the health check needs the key when one is set.
        builder.Services.AddSingleton(new BearerKeyInterceptor(options.ApiKey, "/grpc.health.v1.Health/"));

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
            grpc.Interceptors.Add<BearerKeyInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
            {
                // "" (the whole server) and the Recommender service are serving while at least one model is loaded.
                health.Services.Map("", _ => true);
                health.Services.Map("netflixrec.v1.Recommender", _ => true);
                health.UseHealthChecksCache = false;
            })
            .AddCheck<ModelsHealthCheck>("models");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(ServingMetrics.MeterName).AddPrometheusExporter());

        WebApplication app = builder.Build();
        if (options.ApiKey is not null)
        {
            BearerKeyInterceptor keys = app.Services.GetRequiredService<BearerKeyInterceptor>();
            app.UseWhen(context => context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal), branch => branch.Use(async (context, next) =>
            {
                if (!keys.IsAuthorized(context.Request.Headers.Authorization))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                await next(context).ConfigureAwait(false);
            }));
        }

        app.MapGrpcService<RecommenderService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        if (options.MetricsUrl is not null)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        app.MapGet("/", () => "NetflixRec serving: gRPC (HTTP/2) service netflixrec.v1.Recommender; Prometheus metrics at /metrics.");
        return app;
    }
}

/// <summary>Healthy while at least one model is loaded; its status drives grpc.health.v1.</summary>
public sealed class ModelsHealthCheck : IHealthCheck
{
    private readonly ModelRegistry _registry;

    public ModelsHealthCheck(ModelRegistry registry) => _registry = registry;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int models = _registry.Current.Models.Count;
        return Task.FromResult(models > 0
            ? HealthCheckResult.Healthy($"{models} model(s) loaded")
            : HealthCheckResult.Unhealthy("no model loaded"));
    }
}
