using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// One model's ONNX graph behind one shared <see cref="InferenceSession"/> (Run is thread-safe). Scores one user at a
/// time through pooled, pinned input and output buffers wrapped once in <see cref="OrtValue"/>s, so the hot path
/// allocates nothing. The graph contract: inputs <c>user_index</c> int64 [b] or <c>user_ratings</c> float [b, movies],
/// <c>pair_row</c>/<c>pair_movie</c> int64 [p]; outputs <c>scores</c> float [b, movies] and <c>pair_scores</c> float [p].
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private const string UserIndexInput = OnnxContract.UserIndex;
    private const string UserRatingsInput = OnnxContract.UserRatings;
    private const string PairRowInput = OnnxContract.PairRow;
    private const string PairMovieInput = OnnxContract.PairMovie;
    private const string ScoresOutput = OnnxContract.Scores;
    private const string PairScoresOutput = OnnxContract.PairScores;

    private static readonly string[] ScoresOutputs = [ScoresOutput];
    private static readonly string[] PairScoresOutputs = [PairScoresOutput];

    private readonly InferenceSession _session;
    private readonly ModelArtifacts _artifacts;
    private readonly bool _ratingVector;
    private readonly string[] _inputNames;
    private readonly ConcurrentBag<ScoringBuffers> _pool = [];
    private int _disposed;

    private OnnxScorer(InferenceSession session, ModelArtifacts artifacts, bool ratingVector)
    {
        _session = session;
        _artifacts = artifacts;
        _ratingVector = ratingVector;
        _takesDay = session.InputMetadata.ContainsKey(OnnxContract.Day);
        _inputNames = _takesDay
            ? [ratingVector ? UserRatingsInput : UserIndexInput, PairRowInput, PairMovieInput, OnnxContract.Day]
            : [ratingVector ? UserRatingsInput : UserIndexInput, PairRowInput, PairMovieInput];
    }

    // Requests carry no date yet: every row of a time-aware graph is scored on "no date" (−1), which the graph resolves
    // to the customer's latest training day, as the model predicts in process without a day.
    private static long[] s_noDate = [];
    private readonly bool _takesDay;

    public int MovieCount => _artifacts.MovieCount;

    /// <summary>The movie side of a factor model's graph (for fold-in and similar movies); null for other graphs.</summary>
    public MovieFactorTable? Factors { get; private set; }

    /// <summary>Whether the graph takes <c>user_ratings</c> (and so can score a person it never saw, exactly).</summary>
    public bool ReadsRatingVector => _ratingVector;

    /// <summary>Buffers for <see cref="ScoreBatch"/> and <see cref="ScorePairsBatch"/> of up to <paramref name="maxBatch"/> rows.</summary>
    public BatchBuffers CreateBatchBuffers(int maxBatch, BatchKind kind) => new(maxBatch, _artifacts.MovieCount, _ratingVector, kind);

    /// <summary>Scores every movie for each of <paramref name="users"/> in ONE run: row b's scores are
    /// <c>buffers.Scores[b × movies ..]</c>. A batch is not cancelled for one of its callers.</summary>
    public void ScoreBatch(IReadOnlyList<UserInput> users, BatchBuffers buffers)
    {
        int rows = users.Count;
        int movies = _artifacts.MovieCount;
        BatchInputs.Fill(_ratingVector, users, buffers.UserIndex, buffers.UserRatings, movies);
        if (rows == 1)
        {
            RunGraph(buffers.RunOptions, [buffers.SingleUser, buffers.EmptyRows, buffers.EmptyColumns], 1, ScoresOutputs, [buffers.SingleScores]);
            return;
        }

        using OrtValue user = BatchUserValue(buffers, rows);
        using OrtValue scores = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Scores.AsMemory(0, rows * movies), [rows, movies]);
        RunGraph(buffers.RunOptions, [user, buffers.EmptyRows, buffers.EmptyColumns], rows, ScoresOutputs, [scores]);
    }

    /// <summary>Scores the pairs (row <paramref name="pairRows"/>[p], movie <paramref name="pairMovies"/>[p]) of every
    /// row's user in ONE run into <paramref name="output"/>.</summary>
    public void ScorePairsBatch(IReadOnlyList<UserInput> users, Memory<long> pairRows, Memory<long> pairMovies, Memory<float> output, BatchBuffers buffers)
    {
        int rows = users.Count;
        BatchInputs.Fill(_ratingVector, users, buffers.UserIndex, buffers.UserRatings, _artifacts.MovieCount);
        long[] shape = [pairRows.Length];
        using OrtValue user = BatchUserValue(buffers, rows);
        using OrtValue rowValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pairRows, shape);
        using OrtValue movieValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pairMovies, shape);
        using OrtValue scoreValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, shape);
        RunGraph(buffers.RunOptions, [user, rowValue, movieValue], rows, PairScoresOutputs, [scoreValue]);
    }

    /// <summary>Runs the graph on <paramref name="inputs"/> (user, pair rows, pair movies) for <paramref name="rows"/>
    /// users, adding the day input where the graph takes one.</summary>
    private void RunGraph(RunOptions options, IReadOnlyCollection<OrtValue> inputs, int rows, string[] outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        if (!_takesDay)
        {
            _session.Run(options, _inputNames, inputs, outputNames, outputs);
            return;
        }

        long[] noDate = Volatile.Read(ref s_noDate);
        if (noDate.Length < rows)
        {
            noDate = new long[Math.Max(rows, 256)];
            Array.Fill(noDate, -1L);
            Volatile.Write(ref s_noDate, noDate);
        }

        using OrtValue day = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, noDate.AsMemory(0, rows), [rows]);
        _session.Run(options, _inputNames, [.. inputs, day], outputNames, outputs);
    }

    private OrtValue BatchUserValue(BatchBuffers buffers, int rows) => _ratingVector
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.UserRatings.AsMemory(0, rows * _artifacts.MovieCount), [rows, _artifacts.MovieCount])
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.UserIndex.AsMemory(0, rows), [rows]);

    /// <summary>Opens <paramref name="onnxPath"/> and checks its inputs and outputs against the contract and the
    /// manifest's dimensions, then scores one user as a smoke test; any mismatch is an <see cref="InvalidDataException"/>.</summary>
    public static OnnxScorer Create(string onnxPath, ModelArtifacts artifacts, ExecutionProviderChoice provider)
    {
        if (!File.Exists(onnxPath))
        {
            throw new InvalidDataException($"{onnxPath}: not found; run 'netflixrec export'");
        }

        OnnxSignature signature = artifacts.Manifest.Onnx!;
        bool ratingVector = signature.UserInput == OnnxContract.RatingVectorInput;
        // Read once, check, then load those same bytes: a file replaced between the check and the load cannot slip in.
        byte[] graph = File.ReadAllBytes(onnxPath);
        if (signature.Sha256 is { } expected && !string.Equals(Convert.ToHexStringLower(SHA256.HashData(graph)), expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{onnxPath}: SHA-256 differs from the manifest's onnx.sha256 (a truncated, altered or foreign file)");
        }

        InferenceSession session;
        using (SessionOptions options = provider.CreateSessionOptions())
        {
            // Loaded from bytes, the graph finds external data (model.onnx.data, a graph past 2 GB) only through this folder.
            options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", Path.GetDirectoryName(Path.GetFullPath(onnxPath)) ?? ".");
            try
            {
                session = new InferenceSession(graph, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidDataException($"{onnxPath}: ONNX Runtime rejects the graph ({e.Message})", e);
            }
        }

        var scorer = new OnnxScorer(session, artifacts, ratingVector);
        try
        {
            scorer.CheckSignature(onnxPath);
            // A time-aware graph's movie term also has a bias per time bin that fold-in does not model: no fold-in for it.
            scorer.Factors = ratingVector || scorer._takesDay ? null : MovieFactorTable.From(graph, artifacts.Manifest);
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

    public ScoringBuffers Rent() => _pool.TryTake(out ScoringBuffers? buffers) ? buffers : new ScoringBuffers(_artifacts.MovieCount, _ratingVector);

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
        SetUser(buffers, user);
        Run(buffers, buffers.FullInputs, ScoresOutputs, buffers.FullOutputs, cancellationToken);
    }

    private void SetUser(ScoringBuffers buffers, int user)
    {
        if (!_ratingVector)
        {
            buffers.UserIndex[0] = user;
            return;
        }

        // The model reads the user's history: stars 1–5 where rated, 0 elsewhere.
        Span<float> vector = buffers.UserRatings;
        vector.Clear();
        ReadOnlySpan<short> movies = _artifacts.RatedMovies(user);
        ReadOnlySpan<byte> stars = _artifacts.Ratings(user);
        for (int i = 0; i < movies.Length; i++)
        {
            vector[movies[i]] = stars[i];
        }
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

    private void CheckSignature(string path)
    {
        string user = _ratingVector ? UserRatingsInput : UserIndexInput;
        string[] expected = _takesDay ? [user, PairRowInput, PairMovieInput, OnnxContract.Day] : [user, PairRowInput, PairMovieInput];
        IReadOnlyList<string> inputs = _session.InputNames;
        if (inputs.Count != expected.Length || expected.Any(name => !inputs.Contains(name)))
        {
            throw new InvalidDataException($"{path}: inputs [{string.Join(", ", inputs)}], expected [{string.Join(", ", expected)}] (onnx.user_input {_artifacts.Manifest.Onnx!.UserInput})");
        }

        foreach (string output in new[] { ScoresOutput, PairScoresOutput })
        {
            if (!_session.OutputMetadata.ContainsKey(output))
            {
                throw new InvalidDataException($"{path}: no output '{output}' (outputs: {string.Join(", ", _session.OutputNames)})");
            }
        }

        int[] dims = _session.OutputMetadata[ScoresOutput].Dimensions;
        if (dims.Length != 2 || (dims[1] >= 0 && dims[1] != _artifacts.MovieCount))
        {
            throw new InvalidDataException($"{path}: output scores has shape [{string.Join(", ", dims)}], expected [batch, {_artifacts.MovieCount}] (manifest movies)");
        }

        if (_artifacts.Manifest.Movies != _artifacts.MovieCount)
        {
            throw new InvalidDataException($"{path}: manifest movies {_artifacts.Manifest.Movies} ≠ {ModelDirectory.Movies} rows {_artifacts.MovieCount}");
        }

        // The exporter stamps what the graph was built for; a manifest edited or copied from another model disagrees.
        ModelManifest manifest = _artifacts.Manifest;
        IReadOnlyDictionary<string, string> metadata = _session.ModelMetadata.CustomMetadataMap;
        (string Key, string Field, string Expected)[] facts =
        [
            (OnnxContract.MetadataModel, "name", manifest.Name),
            (OnnxContract.MetadataUsers, "users", manifest.Users.ToString(CultureInfo.InvariantCulture)),
            (OnnxContract.MetadataMovies, "movies", manifest.Movies.ToString(CultureInfo.InvariantCulture)),
            (OnnxContract.MetadataFingerprint, "data_fingerprint", manifest.DataFingerprint),
            (OnnxContract.MetadataUserInput, "onnx.user_input", manifest.Onnx!.UserInput),
            (OnnxContract.MetadataScoreKind, "onnx.score_kind", manifest.Onnx.ScoreKind),
        ];
        foreach ((string key, string field, string stated) in facts)
        {
            if (metadata.TryGetValue(key, out string? actual) && actual != stated)
            {
                throw new InvalidDataException($"{path}: graph metadata {key} is '{actual}', but the manifest's {field} is '{stated}'");
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
