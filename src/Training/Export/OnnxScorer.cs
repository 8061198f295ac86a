using Microsoft.ML.OnnxRuntime;
using NetflixRec.Contracts;
using NetflixRec.Contracts.Runtime;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Export;

/// <summary>
/// An exported model.onnx for training's callers (the parity checks, the artifact validator, the benchmark): a
/// <see cref="ScoringSession"/> — opened and fed exactly as the server's — plus what training adds: known users' rating
/// vectors from a <see cref="RatingIndex"/>, days per row for time-aware graphs, and results as arrays. CPU by default;
/// with <c>tryCuda</c> the CUDA provider where it loads (<see cref="ExecutionProviderChoice"/>). Thread-safe.
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private static readonly long[] s_none = [];

    private readonly ScoringSession _session;
    private readonly RatingIndex? _history;

    private OnnxScorer(ScoringSession session, RatingIndex? history)
    {
        _session = session;
        _history = history;
    }

    public string UserInput => _session.ReadsRatingVector ? OnnxContract.RatingVectorInput : OnnxContract.IndexInput;

    public int Movies => _session.Movies;

    /// <summary>"CPU" or "CUDA": the execution provider in use.</summary>
    public string Provider => _session.Provider.IsCuda ? "CUDA" : "CPU";

    /// <summary>The session's custom metadata (the <see cref="OnnxContract"/> netflixrec.* keys).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.Metadata;

    /// <summary>Whether the graph has the <see cref="OnnxContract.Day"/> input (a time-aware model): then every call needs the days.</summary>
    public bool TakesDay => _session.TakesDay;

    /// <summary>
    /// Opens <paramref name="path"/>. <paramref name="history"/> (training ratings by user) is required when
    /// <paramref name="userInput"/> is a rating vector: it is what goes in for a known user. ONNX Runtime's refusal of a
    /// malformed file, or a graph whose inputs and outputs are not the contract's, becomes an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static OnnxScorer Open(string path, string userInput, int movies, RatingIndex? history = null, int threads = 0, bool tryCuda = false)
    {
        if (userInput == OnnxContract.RatingVectorInput && history is null)
        {
            throw new ArgumentException("a rating-vector model needs the user history to score known users", nameof(history));
        }

        ExecutionProviderChoice provider = ExecutionProviderChoice.Decide(tryCuda ? "auto" : "cpu", threads);
        return new OnnxScorer(ScoringSession.Open(path, userInput, movies, provider), history);
    }

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
        using OrtValue? day = _session.DayValue(days, users.Length);
        _session.Run(runOptions, [user, rows, movies], day, [OnnxContract.Scores], [output]);
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
        using OrtValue? day = _session.DayValue(dated ? distinctDays.ToArray() : [], distinct.Count);
        return _session.RunToArray([user, pairRows, pairMovies], day, OnnxContract.PairScores, users.Length);
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
        using OrtValue? day = _session.DayValue(new short[users.Length], users.Length);
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, [user, rows, movies], day, [OnnxContract.Scores, OnnxContract.PairScores]);
        return (outputs.First().GetTensorTypeAndShape().Shape, outputs.Last().GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => _session.Dispose();

    private OrtValue UserValue(ReadOnlySpan<int> users)
    {
        if (!_session.ReadsRatingVector)
        {
            var indices = new long[users.Length];
            for (int i = 0; i < users.Length; i++)
            {
                indices[i] = users[i];
            }

            return _session.UserValue(indices, Memory<float>.Empty, users.Length);
        }

        return _session.UserValue(Memory<long>.Empty, RatingVectors(_history!, users, Movies), users.Length);
    }

    /// <summary>The <c>user_ratings</c> input for these users: their training stars by movie, 0 where unrated.</summary>
    public static float[] RatingVectors(RatingIndex history, ReadOnlySpan<int> users, int movies)
    {
        ArgumentNullException.ThrowIfNull(history);
        var vectors = new float[(long)users.Length * movies];
        for (int i = 0; i < users.Length; i++)
        {
            RatingVector.Fill(vectors.AsSpan(i * movies, movies), history.ColumnsOf(users[i]), history.RatingsOf(users[i]));
        }

        return vectors;
    }
}
