using Microsoft.ML.OnnxRuntime;
using NetflixRec.Contracts;
using NetflixRec.Contracts.Runtime;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// The contract's runtime side (<see cref="ScoringSession"/>), which the server's and training's scorers both open and
/// feed graphs through: refusals that name the file, every input fed by the contract (the day of time-aware graphs
/// included), and the metadata check against a manifest.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class ScoringSessionTests
{
    private static readonly ExecutionProviderChoice Cpu = ExecutionProviderChoice.Decide("cpu", 1);

    private readonly TrainedModels _models;

    public ScoringSessionTests(TrainedModels models) => _models = models;

    [Fact]
    public void Open_IndexGraphAsRatingVector_RefusesNamingFileAndInputs()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);

        var error = Assert.Throws<InvalidDataException>(() => ScoringSession.Open(path, OnnxContract.RatingVectorInput, manifest.Movies, Cpu));

        Assert.StartsWith(path + ": inputs [", error.Message, StringComparison.Ordinal);
        Assert.Contains(OnnxContract.UserRatings, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MovieCountNotTheGraphs_RefusesNamingScoresShape()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);

        var error = Assert.Throws<InvalidDataException>(() => ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies + 1, Cpu));

        Assert.Contains($"expected [batch, {manifest.Movies + 1}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NotAnOnnxFile_RefusesNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "not-onnx-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllText(path, "not a graph");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ScoringSession.Open(path, OnnxContract.IndexInput, 10, Cpu));

            Assert.StartsWith(path + ": ONNX Runtime rejects the model", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_IndexGraphBytesOrPath_SameScoresAndNoDayInput()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);
        using ScoringSession fromPath = ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies, Cpu);
        using ScoringSession fromBytes = ScoringSession.Open(path, File.ReadAllBytes(path), OnnxContract.IndexInput, manifest.Movies, Cpu);

        Assert.False(fromPath.TakesDay);
        Assert.Null(fromPath.NoDateValue(2));
        Assert.Null(fromPath.DayValue([], 2));
        Assert.Equal(ScoreUsers(fromPath, [0, 1], null), ScoreUsers(fromBytes, [0, 1], null));
    }

    [Fact]
    public void Run_TimeAwareGraph_NeedsTheDayAndNoDateIsMinusOne()
    {
        (string path, ModelManifest manifest) = Graph(_models.TimeBias);
        using ScoringSession session = ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies, Cpu);

        Assert.True(session.TakesDay);
        Assert.Throws<ArgumentException>(() => ScoreUsers(session, [0, 1], null));
        Assert.Throws<ArgumentException>(() => session.DayValue([(short)-1], 2));
        using OrtValue noDate = session.NoDateValue(2)!;
        using OrtValue minusOne = session.DayValue([(short)-1, (short)-1], 2)!;
        float[] undated = ScoreUsers(session, [0, 1], noDate);

        Assert.Equal(undated, ScoreUsers(session, [0, 1], minusOne));
        Assert.All(undated, score => Assert.True(float.IsFinite(score)));
    }

    [Fact]
    public void Run_IndexGraphGivenADay_Refused()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);
        using ScoringSession session = ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies, Cpu);
        using OrtValue day = OrtValue.CreateTensorValueFromMemory(new long[1], [1]);

        Assert.Throws<ArgumentException>(() => ScoreUsers(session, [0], day));
    }

    [Fact]
    public void RunToArray_PairScores_MatchTheScoresRow()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);
        using ScoringSession session = ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies, Cpu);
        float[] row = ScoreUsers(session, [0], null);
        using OrtValue user = session.UserValue(new long[] { 0 }, Memory<float>.Empty, 1);
        using OrtValue rows = OrtValue.CreateTensorValueFromMemory(new long[] { 0, 0 }, [2]);
        using OrtValue movies = OrtValue.CreateTensorValueFromMemory(new long[] { 0, manifest.Movies - 1 }, [2]);

        float[] pairs = session.RunToArray([user, rows, movies], null, OnnxContract.PairScores, 2);

        Assert.Equal(row[0], pairs[0], 1e-5f);
        Assert.Equal(row[^1], pairs[1], 1e-5f);
        Assert.Throws<InvalidDataException>(() => session.RunToArray([user, rows, movies], null, OnnxContract.PairScores, 3));
    }

    [Fact]
    public void CheckMetadata_ManifestOfAnotherModel_NamesKeyAndField()
    {
        (string path, ModelManifest manifest) = Graph(_models.BiasedMf);
        using ScoringSession session = ScoringSession.Open(path, OnnxContract.IndexInput, manifest.Movies, Cpu);

        session.CheckMetadata(manifest);
        var error = Assert.Throws<InvalidDataException>(() => session.CheckMetadata(manifest with { DataFingerprint = "other" }));

        Assert.Contains($"{OnnxContract.MetadataFingerprint} is '{manifest.DataFingerprint}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("data_fingerprint is 'other'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RatingVectorFill_ServerAndTrainingForms_SameRowAndOldContentCleared()
    {
        float[] server = [9f, 9f, 9f, 9f, 9f];
        float[] training = new float[5];

        RatingVector.Fill(server, new short[] { 1, 4 }, new byte[] { 3, 5 });
        RatingVector.Fill(training, new int[] { 1, 4 }, new float[] { 3f, 5f });

        Assert.Equal([0f, 3f, 0f, 0f, 5f], server);
        Assert.Equal(server, training);
        Assert.Throws<ArgumentException>(() => RatingVector.Fill(training, new short[] { 1 }, new byte[] { 3, 5 }));
    }

    private static (string Path, ModelManifest Manifest) Graph(string directory)
    {
        string manifestPath = Path.Combine(directory, ModelDirectory.Manifest);
        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        return (Path.Combine(directory, manifest.Onnx!.File), manifest);
    }

    /// <summary>Every movie's score for <paramref name="users"/> through the session, pair inputs empty.</summary>
    private static float[] ScoreUsers(ScoringSession session, long[] users, OrtValue? day)
    {
        var scores = new float[users.Length * session.Movies];
        using OrtValue user = session.UserValue(users, Memory<float>.Empty, users.Length);
        using OrtValue rows = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        using OrtValue movies = OrtValue.CreateTensorValueFromMemory(Array.Empty<long>(), [0]);
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(scores, [users.Length, session.Movies]);
        using var options = new RunOptions();
        session.Run(options, [user, rows, movies], day, [OnnxContract.Scores], [output]);
        return scores;
    }
}
