using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving;

/// <summary>
/// The Recommender gRPC service. Every call resolves its model in the registry (holding a reference for the call's
/// duration, so a hot reload never pulls a session from under it), validates the request, scores with ONNX Runtime
/// and answers in Netflix IDs. Client errors map to INVALID_ARGUMENT / NOT_FOUND naming the field; anything
/// unexpected becomes INTERNAL for that call alone.
/// </summary>
public sealed partial class RecommenderService : Recommender.RecommenderBase
{
    private readonly ModelRegistry _registry;
    private readonly ServingOptions _options;
    private readonly ExecutionProviderChoice _provider;
    private readonly ServingMetrics _metrics;
    private readonly ILogger<RecommenderService> _logger;

    public RecommenderService(ModelRegistry registry, ServingOptions options, ExecutionProviderChoice provider, ServingMetrics metrics, ILogger<RecommenderService> logger)
    {
        _registry = registry;
        _options = options;
        _provider = provider;
        _metrics = metrics;
        _logger = logger;
    }

    public override Task<RecommendResponse> Recommend(RecommendRequest request, ServerCallContext context) =>
        ExecuteAsync(nameof(Recommend), request.Model, context, () => RequestValidation.CheckRecommend(request),
            model => Recommend(model, request, context.CancellationToken));

    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
        ExecuteAsync(nameof(Predict), request.Model, context, () => RequestValidation.CheckPredictSize(request, _options.MaxPredictMovies),
            model => Predict(model, request, context.CancellationToken));

    public override async Task RecommendMany(IAsyncStreamReader<RecommendRequest> requestStream, IServerStreamWriter<RecommendResponse> responseStream,
        ServerCallContext context)
    {
        int index = 0;
        while (await MoveNext(requestStream, context).ConfigureAwait(false))
        {
            RecommendRequest request = requestStream.Current;
            RecommendResponse response;
            try
            {
                response = await ExecuteAsync(nameof(RecommendMany), request.Model, context, () => RequestValidation.CheckRecommend(request),
                    model => Recommend(model, request, context.CancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound)
            {
                // A stream has one status: name the message that ended it.
                throw new RpcException(new Status(e.StatusCode, $"request {index}: {e.Status.Detail}"));
            }

            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            index++;
        }
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        ModelRegistry.Snapshot snapshot = _registry.Current;
        var response = new ListModelsResponse { DefaultModel = snapshot.DefaultModel ?? string.Empty, ExecutionProvider = _provider.Name };
        foreach (ServedModel model in snapshot.Models.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            Contracts.ModelManifest manifest = model.Artifacts.Manifest;
            var info = new ModelInfo
            {
                Name = model.Name,
                Kind = manifest.Name,
                Family = manifest.Family,
                ExecutionProvider = _provider.Name,
                DataFingerprint = manifest.DataFingerprint,
                Users = model.Artifacts.UserCount,
                Movies = model.Artifacts.MovieCount,
                Version = model.Version,
                LoadedAt = model.LoadedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                UserInput = manifest.Onnx!.UserInput,
                OnnxIrVersion = manifest.Onnx.IrVersion,
                OnnxOpset = manifest.Onnx.Opset,
                MaxBatch = model.Scores.Settings.MaxBatch,
                MaxQueueDelayUs = model.Scores.Settings.MaxQueueDelayMicroseconds,
                BatchExecutors = model.Scores.Settings.Executors,
                RatingsInput = model.Scorer.ReadsRatingVector ? "exact" : model.Scorer.Factors is not null ? "fold_in" : "none",
                SimilarMovies = model.Scorer.Factors is { FactorCount: > 0 },
            };
            foreach ((string key, long value) in manifest.Dims)
            {
                info.Dims[key] = value;
            }

            foreach ((string key, double value) in manifest.Metrics)
            {
                info.Metrics[key] = value;
            }

            response.Models.Add(info);
        }

        _metrics.Record(nameof(ListModels), string.Empty, nameof(StatusCode.OK), started);
        return Task.FromResult(response);
    }

    private Task<RecommendResponse> Recommend(ServedModel model, RecommendRequest request, CancellationToken cancellationToken)
    {
        ModelArtifacts artifacts = model.Artifacts;
        var response = new RecommendResponse { CustomerId = request.CustomerId, Model = model.Name };
        int user = artifacts.UserIndexOf(request.CustomerId);
        if (user < 0)
        {
            // Cold start: the most rated movies, scored by their training rating count.
            response.ColdStart = true;
            int n = Math.Min(request.K, artifacts.MovieCount);
            for (int i = 0; i < n; i++)
            {
                int movie = artifacts.Popularity[i];
                response.Movies.Add(Scored(artifacts, movie, artifacts.RatingCounts[movie]));
            }

            return Task.FromResult(response);
        }

        UserInput input = UserInput.Known(artifacts, user);
        ReadOnlyMemory<short> exclude = request.IncludeRated ? ReadOnlyMemory<short>.Empty : input.Movies;
        return model.Scores.Submit(input, ReadOnlyMemory<int>.Empty, scores =>
        {
            AddTop(response.Movies, artifacts, scores, exclude.Span, request.K);
            return response;
        }, cancellationToken);
    }

    /// <summary>Leaves out <paramref name="exclude"/>, selects the top <paramref name="k"/> of <paramref name="scores"/>
    /// and appends them (id, score, title, year), best first.</summary>
    private static void AddTop(Google.Protobuf.Collections.RepeatedField<ScoredMovie> movies, ModelArtifacts artifacts, Span<float> scores,
        ReadOnlySpan<short> exclude, int k)
    {
        int[] top = ArrayPool<int>.Shared.Rent(k);
        try
        {
            int count = TopK.SelectExcluding(scores, exclude, top.AsSpan(0, k));
            for (int i = 0; i < count; i++)
            {
                movies.Add(Scored(artifacts, top[i], scores[top[i]]));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(top);
        }
    }

    private async Task<PredictResponse> Predict(ServedModel model, PredictRequest request, CancellationToken cancellationToken)
    {
        ModelArtifacts artifacts = model.Artifacts;
        int[] movies = new int[request.MovieIds.Count];
        RequestValidation.CheckPredictMovies(request, artifacts, movies);
        var response = new PredictResponse { Model = model.Name };
        int user = artifacts.UserIndexOf(request.CustomerId);
        if (user < 0)
        {
            response.ColdStart = true;
            AddRatings(response, model, movies, i => artifacts.MeanRatings[movies[i]], clip: false);
            return response;
        }

        float[] ratings = await model.Pairs.Submit(UserInput.Known(artifacts, user), movies, scores => scores.ToArray(), cancellationToken).ConfigureAwait(false);
        AddRatings(response, model, movies, i => ratings[i], clip: model.PredictsRatings);
        return response;
    }

    /// <summary>Fills ratings and movies (id, title, year, score = rating) in request order; rating models' scores are
    /// clipped to 1..5, ranking models' go out raw.</summary>
    private static void AddRatings(PredictResponse response, ServedModel model, int[] movies, Func<int, float> rating, bool clip)
    {
        for (int i = 0; i < movies.Length; i++)
        {
            float value = clip ? Math.Clamp(rating(i), 1f, 5f) : rating(i);
            response.Ratings.Add(value);
            response.Movies.Add(Scored(model.Artifacts, movies[i], value));
        }
    }

    private static ScoredMovie Scored(ModelArtifacts artifacts, int movie, float score) =>
        new() { MovieId = artifacts.MovieIds[movie], Score = score, Title = artifacts.Titles[movie], Year = artifacts.Years[movie] };

    /// <summary>Validates, resolves the model (holding a reference for the call), runs <paramref name="body"/>, maps
    /// failures to status codes and records the call's metrics.</summary>
    private async Task<T> ExecuteAsync<T>(string method, string requestedModel, ServerCallContext context, Action validate, Func<ServedModel, Task<T>> body)
    {
        long started = Stopwatch.GetTimestamp();
        // Metric labels only ever carry served model names: a client's arbitrary strings would grow /metrics without bound.
        string modelTag = MetricTag(requestedModel);
        StatusCode status = StatusCode.OK;
        try
        {
            validate();
            ServedModel model = _registry.Acquire(requestedModel) ?? throw ModelNotFound(requestedModel);
            modelTag = model.Name;
            try
            {
                return await body(model).ConfigureAwait(false);
            }
            finally
            {
                model.Release();
            }
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            status = context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
            throw new RpcException(new Status(status, status == StatusCode.DeadlineExceeded ? "deadline exceeded while queued or scoring" : "call cancelled"));
        }
        catch (Exception e)
        {
            // One failing call must not take the process or other calls with it.
            status = StatusCode.Internal;
            LogCallFailed(_logger, e, method, modelTag);
            throw new RpcException(new Status(StatusCode.Internal, $"internal error while scoring with model '{modelTag}'"));
        }
        finally
        {
            _metrics.Record(method, modelTag, status.ToString(), started);
        }
    }

    /// <summary>The label of a call before its model is resolved: a served name, empty for the default, else <see cref="ServingMetrics.UnknownModel"/>.</summary>
    private string MetricTag(string requested) =>
        requested.Length == 0 ? string.Empty : _registry.Current.Models.ContainsKey(requested) ? requested : ServingMetrics.UnknownModel;

    private RpcException ModelNotFound(string requested)
    {
        ModelRegistry.Snapshot snapshot = _registry.Current;
        string loaded = snapshot.Models.Count == 0 ? "none" : string.Join(", ", snapshot.Models.Keys.Order(StringComparer.Ordinal));
        return requested.Length == 0
            ? new RpcException(new Status(StatusCode.Unavailable, "model: no model is loaded yet"))
            : new RpcException(new Status(StatusCode.NotFound, $"model: '{requested}' is not loaded (loaded: {loaded})"));
    }

    private static async Task<bool> MoveNext(IAsyncStreamReader<RecommendRequest> requests, ServerCallContext context)
    {
        try
        {
            return await requests.MoveNext(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "call cancelled"));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} on model {Model} failed")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string method, string model);
}
