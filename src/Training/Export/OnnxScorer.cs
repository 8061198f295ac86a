using Microsoft.ML.OnnxRuntime;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Export;

/// <summary>
/// An exported model.onnx in ONNX Runtime, fed exactly as the server feeds it (every input, zero-length where unused):
/// what the parity checks, the artifact validator and the benchmark score through. CPU by default; with
/// <c>tryCuda</c> it appends the CUDA provider and falls back to CPU where that fails (no CUDA 13 libraries here).
/// One session per file; <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one scorer serves many threads.
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private static readonly long[] s_none = [];
    private static readonly float[] s_noRatings = [];

    private readonly InferenceSession _session;
    private readonly RatingIndex? _history;

    private OnnxScorer(InferenceSession session, string userInput, int movies, RatingIndex? history, string provider)
    {
        _session = session;
        UserInput = userInput;
        Movies = movies;
        _history = history;
        Provider = provider;
    }

    public string UserInput { get; }

    public int Movies { get; }

    /// <summary>"CPU" or "CUDA": the execution provider in use.</summary>
    public string Provider { get; }

    /// <summary>The session's custom metadata (the <see cref="OnnxContract"/> netflixrec.* keys).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    /// <summary>
    /// Opens <paramref name="path"/>. <paramref name="history"/> (training ratings by user) is required when
    /// <paramref name="userInput"/> is a rating vector: it is what goes in for a known user. ONNX Runtime's refusal of a
    /// malformed file becomes an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static OnnxScorer Open(string path, string userInput, int movies, RatingIndex? history = null, int threads = 0, bool tryCuda = false)
    {
        if (userInput == OnnxContract.RatingVectorInput && history is null)
        {
            throw new ArgumentException("a rating-vector model needs the user history to score known users", nameof(history));
        }

        // No usable CUDA here (DESIGN.md: the provider library needs CUDA 13) falls back to the CPU provider.
        ExecutionProviderChoice choice = ExecutionProviderChoice.Decide(tryCuda ? "auto" : "cpu", threads);
        string provider = choice.IsCuda ? "CUDA" : "CPU";
        // Failures come back as exceptions that name the file; ONNX Runtime's own error log would only repeat them on stderr.
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        choice.AppendTo(options);

        try
        {
            return new OnnxScorer(new InferenceSession(path, options), userInput, movies, history, provider);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: ONNX Runtime rejects the model: {e.Message}", e);
        }
    }

    /// <summary>Whether the graph has the <see cref="OnnxContract.Day"/> input (a time-aware model): then every call needs the days.</summary>
    public bool TakesDay => _session.InputMetadata.ContainsKey(OnnxContract.Day);

    /// <summary>The score of every movie for each user, row-major [users.Length × Movies], from the <c>scores</c> output.</summary>
    public float[] Scores(ReadOnlySpan<int> users) => Scores(users, []);

    /// <summary>As <see cref="Scores(ReadOnlySpan{int})"/>, each user on its day (required when <see cref="TakesDay"/>, ignored otherwise).</summary>
    public float[] Scores(ReadOnlySpan<int> users, ReadOnlySpan<short> days)
    {
        var scores = new float[(long)users.Length * Movies];
        ScoresInto(users, days, scores);
        return scores;
    }

    /// <summary>As <see cref="Scores(ReadOnlySpan{int})"/>, for callers that hold arrays or memory (F#).</summary>
    public float[] Scores(ReadOnlyMemory<int> users) => Scores(users.Span);

    /// <summary>
    /// As <see cref="Scores(ReadOnlySpan{int})"/>, written straight into <paramref name="destination"/> (bound as the output tensor, so
    /// ONNX Runtime allocates and copies nothing): how a server scoring many batches should call it.
    /// </summary>
    public void ScoresInto(ReadOnlySpan<int> users, float[] destination) => ScoresInto(users, [], destination);

    /// <summary>As <see cref="ScoresInto(ReadOnlySpan{int}, float[])"/>, each user on its day (required when <see cref="TakesDay"/>).</summary>
    public void ScoresInto(ReadOnlySpan<int> users, ReadOnlySpan<short> days, float[] destination)
    {
        long count = (long)users.Length * Movies;
        if (destination.Length < count)
        {
            throw new ArgumentException($"{destination.Length} scores cannot hold {users.Length} users × {Movies} movies", nameof(destination));
        }

        using OrtValue user = UserValue(users);
        using OrtValue rows = OrtValue.CreateTensorValueFromMemory(s_none, [0]);
        using OrtValue movies = OrtValue.CreateTensorValueFromMemory(s_none, [0]);
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, destination.AsMemory(0, (int)count), [users.Length, Movies]);
        using var runOptions = new RunOptions();
        using OrtValue? day = DayValue(days, users.Length);
        _session.Run(runOptions, InputNames, Inputs(user, rows, movies, day), [OnnxContract.Scores], [output]);
    }

    /// <summary>As <see cref="PairScores(ReadOnlySpan{int}, ReadOnlySpan{short})"/>, for callers that hold arrays or memory (F#).</summary>
    public float[] PairScores(ReadOnlyMemory<int> users, ReadOnlyMemory<short> movies) => PairScores(users.Span, movies.Span);

    /// <summary>The predicted rating of each (user, movie) pair, from the <c>pair_scores</c> output (each distinct user is one batch row).</summary>
    public float[] PairScores(ReadOnlySpan<int> users, ReadOnlySpan<short> movies) => PairScores(users, movies, []);

    /// <summary>
    /// As <see cref="PairScores(ReadOnlySpan{int}, ReadOnlySpan{short})"/>, each pair on its day (required when
    /// <see cref="TakesDay"/>): each distinct (user, day) is one batch row.
    /// </summary>
    public float[] PairScores(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, ReadOnlySpan<short> days)
    {
        if (users.Length != movies.Length)
        {
            throw new ArgumentException($"{users.Length} users but {movies.Length} movies", nameof(movies));
        }

        bool dated = TakesDay;
        if (dated && days.Length != users.Length)
        {
            throw new ArgumentException($"{users.Length} pairs but {days.Length} days: this graph takes a day input (a time-aware model)", nameof(days));
        }

        var batchRow = new Dictionary<(int, short), int>();
        var distinct = new List<int>();
        var distinctDays = new List<short>();
        var rows = new long[users.Length];
        var movieIndices = new long[users.Length];
        for (int p = 0; p < users.Length; p++)
        {
            short pairDay = dated ? days[p] : (short)0;
            if (!batchRow.TryGetValue((users[p], pairDay), out int row))
            {
                row = distinct.Count;
                batchRow[(users[p], pairDay)] = row;
                distinct.Add(users[p]);
                distinctDays.Add(pairDay);
            }

            rows[p] = row;
            movieIndices[p] = movies[p];
        }

        using OrtValue user = UserValue(distinct.ToArray());
        using OrtValue pairRows = OrtValue.CreateTensorValueFromMemory(rows, [rows.Length]);
        using OrtValue pairMovies = OrtValue.CreateTensorValueFromMemory(movieIndices, [movieIndices.Length]);
        using OrtValue? day = DayValue(dated ? distinctDays.ToArray() : [], distinct.Count);
        return RunSingle(Inputs(user, pairRows, pairMovies, day), OnnxContract.PairScores, users.Length);
    }

    /// <summary>
    /// Runs the graph once with the given inputs and returns both outputs' shapes: what the validator's smoke run
    /// checks against the manifest.
    /// </summary>
    public (long[] ScoresShape, long[] PairScoresShape) Shapes(ReadOnlySpan<int> users, long[] pairRows, long[] pairMovies)
    {
        using OrtValue user = UserValue(users);
        using OrtValue rows = OrtValue.CreateTensorValueFromMemory(pairRows, [pairRows.Length]);
        using OrtValue movies = OrtValue.CreateTensorValueFromMemory(pairMovies, [pairMovies.Length]);
        using var runOptions = new RunOptions();
        // The smoke run only checks shapes: a time-aware graph gets day 0 for every row.
        using OrtValue? day = TakesDay ? OrtValue.CreateTensorValueFromMemory(new long[users.Length], [users.Length]) : null;
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, InputNames, Inputs(user, rows, movies, day), [OnnxContract.Scores, OnnxContract.PairScores]);
        return (outputs.First().GetTensorTypeAndShape().Shape, outputs.Last().GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => _session.Dispose();

    private string[] InputNames => TakesDay
        ? [UserInput == OnnxContract.IndexInput ? OnnxContract.UserIndex : OnnxContract.UserRatings, OnnxContract.PairRow, OnnxContract.PairMovie, OnnxContract.Day]
        : [UserInput == OnnxContract.IndexInput ? OnnxContract.UserIndex : OnnxContract.UserRatings, OnnxContract.PairRow, OnnxContract.PairMovie];

    private static OrtValue[] Inputs(OrtValue user, OrtValue rows, OrtValue movies, OrtValue? day) => day is null ? [user, rows, movies] : [user, rows, movies, day];

    // The day input of a time-aware graph (null for the others); a missing day is an error, never a silent default.
    private OrtValue? DayValue(ReadOnlySpan<short> days, int rows)
    {
        if (!TakesDay)
        {
            return null;
        }

        if (days.Length != rows)
        {
            throw new ArgumentException($"{rows} batch rows but {days.Length} days: this graph takes a day input (a time-aware model)", nameof(days));
        }

        var values = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            values[i] = days[i];
        }

        return OrtValue.CreateTensorValueFromMemory(values, [rows]);
    }

    private float[] RunSingle(OrtValue[] inputs, string output, long expected)
    {
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, InputNames, inputs, [output]);
        ReadOnlySpan<float> values = outputs[0].GetTensorDataAsSpan<float>();
        if (values.Length != expected)
        {
            throw new InvalidDataException($"{output}: the graph returned {values.Length} values, expected {expected}");
        }

        return values.ToArray();
    }

    private OrtValue UserValue(ReadOnlySpan<int> users)
    {
        if (UserInput == OnnxContract.IndexInput)
        {
            var indices = new long[users.Length];
            for (int i = 0; i < users.Length; i++)
            {
                indices[i] = users[i];
            }

            return OrtValue.CreateTensorValueFromMemory(indices, [indices.Length]);
        }

        float[] ratings = users.Length == 0 ? s_noRatings : RatingVectors(_history!, users, Movies);
        return OrtValue.CreateTensorValueFromMemory(ratings, [users.Length, Movies]);
    }

    /// <summary>The <c>user_ratings</c> input for these users: their training stars by movie, 0 where unrated.</summary>
    public static float[] RatingVectors(RatingIndex history, ReadOnlySpan<int> users, int movies)
    {
        var vectors = new float[(long)users.Length * movies];
        for (int i = 0; i < users.Length; i++)
        {
            ReadOnlySpan<int> rated = history.ColumnsOf(users[i]);
            ReadOnlySpan<float> stars = history.RatingsOf(users[i]);
            for (int j = 0; j < rated.Length; j++)
            {
                vectors[((long)i * movies) + rated[j]] = stars[j];
            }
        }

        return vectors;
    }
}
