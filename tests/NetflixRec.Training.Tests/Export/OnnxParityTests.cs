using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Export;

/// <summary>For every model kind: ONNX Runtime's outputs equal the trained model's, and the independent onnx checker accepts the file.</summary>
[Trait("Category", "Slow")]
[Collection(TorchCollection.Name)]
public sealed class OnnxParityTests : IClassFixture<ExportedKinds>
{
    private readonly ExportedKinds _kinds;

    public OnnxParityTests(ExportedKinds kinds) => _kinds = kinds;

    public static TheoryData<string> Kinds => ExportedKinds.Names;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Export_EveryKind_OnnxRuntimeMatchesModelAndTop10(string name)
    {
        ExportedKind kind = _kinds[name];
        int[] users = OnnxParity.SampleUsers(kind.Model.Users, 24, seed: 5);

        ParityReport parity = OnnxParity.Check(kind.Model, kind.OnnxPath, kind.Graph.UserInput, kind.History, users);

        Assert.Equal(24, parity.Users);
        Assert.InRange(parity.MaxScoreDifference, 0, 1e-4);
        Assert.InRange(parity.MaxPairDifference, 0, 1e-4);
        Assert.Equal(0, parity.Top10Different);
        Assert.True(parity.Passed, parity.ToString());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Export_EveryKind_PairScoresEqualPredictForArbitraryPairs(string name)
    {
        ExportedKind kind = _kinds[name];
        var random = new Random(9);
        int[] users = [.. Enumerable.Range(0, 200).Select(_ => random.Next(kind.Model.Users))];
        short[] movies = [.. Enumerable.Range(0, 200).Select(_ => (short)random.Next(kind.Model.Movies))];
        var expected = new float[users.Length];
        // Time-aware kinds: each pair on a day within 400 days of the fixture's days (seen and unseen days alike).
        short[] days = kind.Model is IDatedRatingModel ? [.. Enumerable.Range(0, 200).Select(_ => (short)random.Next(11500, 12600))] : [];
        if (kind.Model is IDatedRatingModel dated)
        {
            dated.Predict(users, movies, days, expected);
        }
        else
        {
            kind.Model.Predict(users, movies, expected);
        }

        using OnnxScorer scorer = OnnxScorer.Open(kind.OnnxPath, kind.Graph.UserInput, kind.Model.Movies, kind.History);
        float[] actual = scorer.PairScores(users, movies, days);

        for (int i = 0; i < users.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4, $"pair ({users[i]}, {movies[i]}): onnx {actual[i]}, model {expected[i]}");
        }
    }

    [Theory]
    [InlineData("time-bias")]
    [InlineData("timesvdpp")]
    public void Export_TimeAware_NegativeDayScoresAsTheModelWithoutADate(string name)
    {
        ExportedKind kind = _kinds[name];
        var random = new Random(11);
        int[] users = [.. Enumerable.Range(0, 100).Select(_ => random.Next(kind.Model.Users))];
        short[] movies = [.. Enumerable.Range(0, 100).Select(_ => (short)random.Next(kind.Model.Movies))];
        var expected = new float[users.Length];
        kind.Model.Predict(users, movies, expected);

        using OnnxScorer scorer = OnnxScorer.Open(kind.OnnxPath, kind.Graph.UserInput, kind.Model.Movies, kind.History);
        float[] actual = scorer.PairScores(users, movies, [.. users.Select(_ => (short)-1)]);

        for (int i = 0; i < users.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4, $"pair ({users[i]}, {movies[i]}) without a date: onnx {actual[i]}, model {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Export_EveryKind_ZeroLengthInputsGiveEmptyOutputs(string name)
    {
        ExportedKind kind = _kinds[name];
        using OnnxScorer scorer = OnnxScorer.Open(kind.OnnxPath, kind.Graph.UserInput, kind.Model.Movies, kind.History);

        (long[] scores, long[] pairs) = scorer.Shapes([3], [], []);
        (long[] noScores, long[] _) = scorer.Shapes([], [], []);

        Assert.Equal([1L, kind.Model.Movies], scores);
        Assert.Equal([0L], pairs);
        Assert.Equal([0L, kind.Model.Movies], noScores);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Export_EveryKind_PassesOnnxFullCheck(string name)
    {
        ExportedKind kind = _kinds[name];

        (int exitCode, string output) = PythonOnnx.FullCheck(kind.OnnxPath);

        Assert.True(exitCode == 0, $"onnx.checker.check_model(full_check=True) rejects {name}: {output}");
        Assert.Contains($"ir {OnnxContract.IrVersion} opset {OnnxContract.Opset}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PythonFullCheck_InvalidGraph_Fails()
    {
        // The checker must be able to fail: a graph whose Add reads a value nobody defines.
        var graph = new Onnx.GraphProto { Name = "broken" };
        graph.Node.Add(new Onnx.NodeProto { OpType = "Add", Input = { "nowhere", "nowhere" }, Output = { "y" } });
        var model = new Onnx.ModelProto { IrVersion = OnnxContract.IrVersion, Graph = graph, OpsetImport = { new Onnx.OperatorSetIdProto { Version = OnnxContract.Opset } } };
        string path = _kinds.Directory.Combine("broken.onnx");
        OnnxModelFile.Write(model, path);

        (int exitCode, _) = PythonOnnx.FullCheck(path);

        Assert.NotEqual(0, exitCode);
    }
}

/// <summary>
/// The independent ONNX checker: Debian's python3-onnx (onnx 1.12) under /usr/bin/python3 (a pyenv python3 on PATH
/// would lack it). CI installs the package (.ci/run); a missing module fails the tests rather than skipping them.
/// </summary>
internal static class PythonOnnx
{
    private const string Script =
        "import sys, onnx\n" +
        "m = onnx.load(sys.argv[1])\n" +
        "onnx.checker.check_model(m, full_check=True)\n" +
        "print('ir', m.ir_version, 'opset', max(o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')))\n";

    public static (int ExitCode, string Output) FullCheck(string path)
    {
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(path);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {python}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
