using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using NetflixRec.Contracts;
using NetflixRec.Contracts.Runtime;

namespace NetflixRec.Serving;

/// <summary>
/// One model's graph for the server: a <see cref="ScoringSession"/> (the contract's runtime side, shared with training)
/// plus what serving adds — the model's artifacts, pooled pinned buffers wrapped once in <see cref="OrtValue"/>s so the
/// per-call path allocates nothing, the batched entry points of <see cref="DynamicBatcher"/>, cancellation of a run, and
/// the movie factors for fold-in. Requests carry no date yet: every row of a time-aware graph is scored on "no date".
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private static readonly string[] ScoresOutputs = [OnnxContract.Scores];
    private static readonly string[] PairScoresOutputs = [OnnxContract.PairScores];

    private readonly ScoringSession _session;
    private readonly ModelArtifacts _artifacts;
    private readonly ConcurrentBag<ScoringBuffers> _pool = [];
    private int _disposed;

    private OnnxScorer(ScoringSession session, ModelArtifacts artifacts)
    {
        _session = session;
        _artifacts = artifacts;
    }

    public int MovieCount => _artifacts.MovieCount;

    /// <summary>The movie side of a factor model's graph (for fold-in and similar movies); null for other graphs.</summary>
    public MovieFactorTable? Factors { get; private set; }

    /// <summary>Whether the graph takes <c>user_ratings</c> (and so can score a person it never saw, exactly).</summary>
    public bool ReadsRatingVector => _session.ReadsRatingVector;

    /// <summary>Buffers for <see cref="ScoreBatch"/> and <see cref="ScorePairsBatch"/> of up to <paramref name="maxBatch"/> rows.</summary>
    public BatchBuffers CreateBatchBuffers(int maxBatch, BatchKind kind) => new(maxBatch, _artifacts.MovieCount, ReadsRatingVector, kind);

    /// <summary>Scores every movie for each of <paramref name="users"/> in ONE run: row b's scores are
    /// <c>buffers.Scores[b × movies ..]</c>. A batch is not cancelled for one of its callers.</summary>
    public void ScoreBatch(IReadOnlyList<UserInput> users, BatchBuffers buffers)
    {
        int rows = users.Count;
        int movies = _artifacts.MovieCount;
        BatchInputs.Fill(ReadsRatingVector, users, buffers.UserIndex, buffers.UserRatings, movies);
        if (rows == 1)
        {
            RunGraph(buffers.RunOptions, [buffers.SingleUser, buffers.EmptyRows, buffers.EmptyColumns], 1, ScoresOutputs, [buffers.SingleScores]);
            return;
        }

        using OrtValue user = _session.UserValue(buffers.UserIndex, buffers.UserRatings, rows);
        using OrtValue scores = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Scores.AsMemory(0, rows * movies), [rows, movies]);
        RunGraph(buffers.RunOptions, [user, buffers.EmptyRows, buffers.EmptyColumns], rows, ScoresOutputs, [scores]);
    }

    /// <summary>Scores the pairs (row <paramref name="pairRows"/>[p], movie <paramref name="pairMovies"/>[p]) of every
    /// row's user in ONE run into <paramref name="output"/>.</summary>
    public void ScorePairsBatch(IReadOnlyList<UserInput> users, Memory<long> pairRows, Memory<long> pairMovies, Memory<float> output, BatchBuffers buffers)
    {
        int rows = users.Count;
        BatchInputs.Fill(ReadsRatingVector, users, buffers.UserIndex, buffers.UserRatings, _artifacts.MovieCount);
        long[] shape = [pairRows.Length];
        using OrtValue user = _session.UserValue(buffers.UserIndex, buffers.UserRatings, rows);
        using OrtValue rowValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pairRows, shape);
        using OrtValue movieValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pairMovies, shape);
        using OrtValue scoreValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, shape);
        RunGraph(buffers.RunOptions, [user, rowValue, movieValue], rows, PairScoresOutputs, [scoreValue]);
    }

    /// <summary>Runs the graph on <paramref name="inputs"/> (user, pair rows, pair movies) for <paramref name="rows"/>
    /// users, each on "no date" where the graph takes a day.</summary>
    private void RunGraph(RunOptions options, IReadOnlyCollection<OrtValue> inputs, int rows, string[] outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        using OrtValue? day = _session.NoDateValue(rows);
        _session.Run(options, inputs, day, outputNames, outputs);
    }

    /// <summary>Opens <paramref name="onnxPath"/> and checks its inputs and outputs against the contract and the
    /// manifest's dimensions, then scores one user as a smoke test; any mismatch is an <see cref="InvalidDataException"/>.</summary>
    public static OnnxScorer Create(string onnxPath, ModelArtifacts artifacts, ExecutionProviderChoice provider)
    {
        if (!File.Exists(onnxPath))
        {
            throw new InvalidDataException($"{onnxPath}: not found; run 'netflixrec export'");
        }

        OnnxSignature signature = artifacts.Manifest.Onnx!;
        // Read once, check, then load those same bytes: a file replaced between the check and the load cannot slip in.
        byte[] graph = File.ReadAllBytes(onnxPath);
        if (signature.Sha256 is { } expected && !string.Equals(Convert.ToHexStringLower(SHA256.HashData(graph)), expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{onnxPath}: SHA-256 differs from the manifest's onnx.sha256 (a truncated, altered or foreign file)");
        }

        var scorer = new OnnxScorer(ScoringSession.Open(onnxPath, graph, signature.UserInput, artifacts.MovieCount, provider), artifacts);
        try
        {
            scorer._session.CheckMetadata(artifacts.Manifest);
            // A time-aware graph's movie term also has a bias per time bin that fold-in does not model: no fold-in for it.
            scorer.Factors = scorer.ReadsRatingVector || scorer._session.TakesDay ? null : MovieFactorTable.From(graph, artifacts.Manifest);
            if (artifacts.UserCount > 0)
            {
                ScoringBuffers buffers = scorer.Rent();
                scorer.ScoreAll(buffers, 0, CancellationToken.None);
                foreach (float score in buffers.Scores)
                {
                    if (!float.IsFinite(score))
                    {
                        throw new InvalidDataException($"{onnxPath}: the graph scores user 0 with a non-finite value");
                    }
                }

                scorer.Return(buffers);
            }

            return scorer;
        }
        catch (Exception e)
        {
            scorer.Dispose();
            if (e is InvalidDataException)
            {
                throw;
            }

            throw new InvalidDataException($"{onnxPath}: the graph does not run ({e.Message})", e);
        }
    }

    public ScoringBuffers Rent() => _pool.TryTake(out ScoringBuffers? buffers) ? buffers : new ScoringBuffers(_artifacts.MovieCount, ReadsRatingVector);

    public void Return(ScoringBuffers buffers)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            buffers.Dispose();
            return;
        }

        _pool.Add(buffers);
    }

    /// <summary>Scores every movie for <paramref name="user"/> into <see cref="ScoringBuffers.Scores"/>.</summary>
    public void ScoreAll(ScoringBuffers buffers, int user, CancellationToken cancellationToken)
    {
        if (ReadsRatingVector)
        {
            RatingVector.Fill(buffers.UserRatings, _artifacts.RatedMovies(user), _artifacts.Ratings(user));
        }
        else
        {
            buffers.UserIndex[0] = user;
        }

        Run(buffers, buffers.FullInputs, ScoresOutputs, buffers.FullOutputs, cancellationToken);
    }

    private void Run(ScoringBuffers buffers, IReadOnlyCollection<OrtValue> inputs, string[] outputNames, IReadOnlyCollection<OrtValue> outputs,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RunOptions runOptions = buffers.RunOptions;
        // A cancelled or expired call stops its ONNX run instead of finishing work nobody waits for.
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        try
        {
            RunGraph(runOptions, inputs, 1, outputNames, outputs);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            // Dispose waits for a running callback, so the flag is settled before the buffers go back to the pool.
            registration.Dispose();
            if (runOptions.Terminate)
            {
                runOptions.Terminate = false;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_pool.TryTake(out ScoringBuffers? buffers))
        {
            buffers.Dispose();
        }

        _session.Dispose();
    }
}

/// <summary>
/// One request's worth of pinned buffers and their <see cref="OrtValue"/> wrappers: the user input (index or rating
/// vector), empty pair inputs, and the [1, movies] score output. Rented from and returned to an <see cref="OnnxScorer"/>.
/// </summary>
public sealed class ScoringBuffers : IDisposable
{
    private readonly float[] _scores;
    private readonly float[] _userRatings;
    private readonly OrtValue _emptyRows;
    private readonly OrtValue _emptyColumns;
    private readonly OrtValue _scoresValue;

    internal ScoringBuffers(int movies, bool ratingVector)
    {
        _scores = new float[movies];
        _userRatings = ratingVector ? new float[movies] : [];
        UserIndex = new long[1];
        UserValue = ratingVector
            ? OrtValue.CreateTensorValueFromMemory(_userRatings, [1, movies])
            : OrtValue.CreateTensorValueFromMemory(UserIndex, [1]);
        _emptyRows = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        _emptyColumns = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        _scoresValue = OrtValue.CreateTensorValueFromMemory(_scores, [1, movies]);
        FullInputs = [UserValue, _emptyRows, _emptyColumns];
        FullOutputs = [_scoresValue];
        RunOptions = new RunOptions();
    }

    /// <summary>The scores of the last <see cref="OnnxScorer.ScoreAll"/>; the caller may overwrite them (exclusions).</summary>
    public Span<float> Scores => _scores;

    internal long[] UserIndex { get; }
    internal Span<float> UserRatings => _userRatings;
    internal OrtValue UserValue { get; }
    internal OrtValue[] FullInputs { get; }
    internal OrtValue[] FullOutputs { get; }
    internal RunOptions RunOptions { get; }

    public void Dispose()
    {
        UserValue.Dispose();
        _emptyRows.Dispose();
        _emptyColumns.Dispose();
        _scoresValue.Dispose();
        RunOptions.Dispose();
    }
}
