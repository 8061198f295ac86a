using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace NetflixRec.Contracts.Runtime;

/// <summary>
/// One model.onnx open in ONNX Runtime and fed by <see cref="OnnxContract"/>: the runtime side of the contract, which
/// training (export parity, the artifact check, bench-onnx) and the server both score through. Opening applies the
/// process's <see cref="ExecutionProviderChoice"/> and checks the graph's inputs and outputs against the contract; a
/// refusal is an <see cref="InvalidDataException"/> naming the file. Every run gets every contract input in contract
/// order (user, pair_row, pair_movie, then day for a time-aware graph), zero-length where unused. Callers own their
/// buffers and wrap them with <see cref="UserValue"/>, <see cref="DayValue"/> and <see cref="NoDateValue"/>.
/// Run is thread-safe: one session serves many threads.
/// </summary>
public sealed class ScoringSession : IDisposable
{
    // "No date" for every row (−1: each customer's latest training day), shared by all runs and grown when a run needs more.
    private static long[] s_noDate = [];

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;

    private ScoringSession(InferenceSession session, string path, bool ratingVector, int movies, ExecutionProviderChoice provider)
    {
        _session = session;
        Path = path;
        ReadsRatingVector = ratingVector;
        Movies = movies;
        Provider = provider;
        TakesDay = session.InputMetadata.ContainsKey(OnnxContract.Day);
        _inputNames = OnnxContract.InputNames(ratingVector, TakesDay);
    }

    /// <summary>The file the graph came from (what errors name).</summary>
    public string Path { get; }

    /// <summary>Whether the graph takes <see cref="OnnxContract.UserRatings"/> (else <see cref="OnnxContract.UserIndex"/>).</summary>
    public bool ReadsRatingVector { get; }

    public int Movies { get; }

    /// <summary>Whether the graph has the <see cref="OnnxContract.Day"/> input (a time-aware model): then every run needs a day per row.</summary>
    public bool TakesDay { get; }

    public ExecutionProviderChoice Provider { get; }

    /// <summary>The graph's custom metadata (the <see cref="OnnxContract"/> netflixrec.* keys).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    /// <summary>Opens the graph at <paramref name="path"/>, whose user input is <paramref name="userInput"/> (an
    /// <see cref="OnnxSignature.UserInput"/> value) and whose scores cover <paramref name="movies"/> movies.</summary>
    public static ScoringSession Open(string path, string userInput, int movies, ExecutionProviderChoice provider) =>
        Open(path, userInput, movies, provider, options => new InferenceSession(path, options));

    /// <summary>As <see cref="Open(string, string, int, ExecutionProviderChoice)"/>, from the file's bytes already read
    /// (so that what a caller checked, e.g. its SHA-256, is what loads).</summary>
    public static ScoringSession Open(string path, byte[] graph, string userInput, int movies, ExecutionProviderChoice provider) =>
        Open(path, userInput, movies, provider, options =>
        {
            // Loaded from bytes, a graph finds its external data (model.onnx.data, a graph past 2 GB) only through this folder.
            options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".");
            return new InferenceSession(graph, options);
        });

    private static ScoringSession Open(string path, string userInput, int movies, ExecutionProviderChoice provider, Func<SessionOptions, InferenceSession> load)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (userInput is not (OnnxContract.IndexInput or OnnxContract.RatingVectorInput))
        {
            throw new ArgumentException($"user input '{userInput}' is neither {OnnxContract.IndexInput} nor {OnnxContract.RatingVectorInput}", nameof(userInput));
        }

        InferenceSession session;
        using (SessionOptions options = provider.CreateSessionOptions())
        {
            try
            {
                session = load(options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidDataException($"{path}: ONNX Runtime rejects the model: {e.Message}", e);
            }
        }

        var scoring = new ScoringSession(session, path, userInput == OnnxContract.RatingVectorInput, movies, provider);
        try
        {
            scoring.CheckSignature(userInput);
            return scoring;
        }
        catch
        {
            scoring.Dispose();
            throw;
        }
    }

    /// <summary>The user input of <paramref name="rows"/> batch rows: <paramref name="userIndex"/>[..rows] as user_index
    /// [rows], or <paramref name="userRatings"/>[..rows × movies] as user_ratings [rows, movies] (the other may be empty).</summary>
    public OrtValue UserValue(Memory<long> userIndex, Memory<float> userRatings, int rows) => ReadsRatingVector
        ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, userRatings[..(rows * Movies)], [rows, Movies])
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, userIndex[..rows], [rows]);

    /// <summary>The day input of <paramref name="rows"/> rows on <paramref name="days"/> (days since 1970-01-01), or
    /// null for a graph without one. A time-aware graph without a day for each row is an error, never a silent default.</summary>
    public OrtValue? DayValue(ReadOnlySpan<short> days, int rows)
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

    /// <summary>The day input of <paramref name="rows"/> rows scored without a date (each customer's latest training
    /// day, as the model predicts in process without a day), or null for a graph without one. Allocates nothing per run.</summary>
    public OrtValue? NoDateValue(int rows)
    {
        if (!TakesDay)
        {
            return null;
        }

        long[] noDate = Volatile.Read(ref s_noDate);
        if (noDate.Length < rows)
        {
            noDate = new long[Math.Max(rows, 256)];
            Array.Fill(noDate, -1L);
            Volatile.Write(ref s_noDate, noDate);
        }

        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, noDate.AsMemory(0, rows), [rows]);
    }

    /// <summary>Runs the graph on <paramref name="userAndPairs"/> (user, pair_row, pair_movie) and <paramref name="day"/>
    /// (required exactly when <see cref="TakesDay"/>), writing the named outputs into the caller's <paramref name="outputs"/>.</summary>
    public void Run(RunOptions options, IReadOnlyCollection<OrtValue> userAndPairs, OrtValue? day, IReadOnlyCollection<string> outputNames,
        IReadOnlyCollection<OrtValue> outputs) =>
        _session.Run(options, _inputNames, Inputs(userAndPairs, day), outputNames, outputs);

    /// <summary>As <see cref="Run(RunOptions, IReadOnlyCollection{OrtValue}, OrtValue?, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>,
    /// with outputs ONNX Runtime allocates (the caller disposes them).</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(RunOptions options, IReadOnlyCollection<OrtValue> userAndPairs, OrtValue? day,
        IReadOnlyCollection<string> outputNames) =>
        _session.Run(options, _inputNames, Inputs(userAndPairs, day), outputNames);

    /// <summary>Runs the graph and copies the float output <paramref name="output"/>, which must hold <paramref name="expected"/> values.</summary>
    public float[] RunToArray(IReadOnlyCollection<OrtValue> userAndPairs, OrtValue? day, string output, long expected)
    {
        using var options = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = Run(options, userAndPairs, day, [output]);
        ReadOnlySpan<float> values = outputs[0].GetTensorDataAsSpan<float>();
        if (values.Length != expected)
        {
            throw new InvalidDataException($"{Path}: output {output} has {values.Length} values, expected {expected}");
        }

        return values.ToArray();
    }

    /// <summary>Compares the graph's metadata with <paramref name="manifest"/>: a manifest edited or copied from another
    /// model disagrees with what the exporter stamped (a key the graph lacks is not checked here).</summary>
    public void CheckMetadata(ModelManifest manifest)
    {
        IReadOnlyDictionary<string, string> metadata = Metadata;
        foreach (OnnxMetadataFact fact in OnnxContract.MetadataFacts(manifest))
        {
            if (metadata.TryGetValue(fact.Key, out string? actual) && actual != fact.Expected)
            {
                throw new InvalidDataException($"{Path}: graph metadata {fact.Key} is '{actual}', but the manifest's {fact.ManifestField} is '{fact.Expected}'");
            }
        }
    }

    public void Dispose() => _session.Dispose();

    private IReadOnlyCollection<OrtValue> Inputs(IReadOnlyCollection<OrtValue> userAndPairs, OrtValue? day)
    {
        if (userAndPairs.Count != 3)
        {
            throw new ArgumentException($"{userAndPairs.Count} inputs; the contract's are user, {OnnxContract.PairRow} and {OnnxContract.PairMovie}", nameof(userAndPairs));
        }

        if (TakesDay != day is not null)
        {
            throw new ArgumentException(TakesDay ? "this graph takes a day input (a time-aware model)" : "this graph has no day input", nameof(day));
        }

        return day is null ? userAndPairs : [.. userAndPairs, day];
    }

    private void CheckSignature(string userInput)
    {
        IReadOnlyList<string> inputs = _session.InputNames;
        if (inputs.Count != _inputNames.Length || _inputNames.Any(name => !inputs.Contains(name)))
        {
            throw new InvalidDataException($"{Path}: inputs [{string.Join(", ", inputs)}], expected [{string.Join(", ", _inputNames)}] (user input {userInput})");
        }

        foreach (string output in new[] { OnnxContract.Scores, OnnxContract.PairScores })
        {
            if (!_session.OutputMetadata.ContainsKey(output))
            {
                throw new InvalidDataException($"{Path}: no output '{output}' (outputs: {string.Join(", ", _session.OutputNames)})");
            }
        }

        int[] dims = _session.OutputMetadata[OnnxContract.Scores].Dimensions;
        if (dims.Length != 2 || (dims[1] >= 0 && dims[1] != Movies))
        {
            throw new InvalidDataException($"{Path}: output scores has shape [{string.Join(", ", dims)}], expected [batch, {Movies}]");
        }
    }
}
