using NetflixRec.Contracts;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Tests.Cli;

namespace NetflixRec.Training.Tests.Export;

/// <summary>
/// <c>export --weights fp16|int8</c>: the reduced graphs compute exactly the model with rounded weights, a user's
/// int8 scores do not depend on their batch, and the export's parity gate against fp32 is written or refuses.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class WeightLayoutTests : IDisposable
{
    private readonly TinyDataset _tiny;
    private readonly TempDirectory _directory = new();

    public WeightLayoutTests(TinyDataset tiny) => _tiny = tiny;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void QuantizeRows_EachValueWithinHalfAScale_ZeroRowStaysZero()
    {
        float[] matrix = [0.5f, -1f, 0.25f, 0.1f, /* zero row */ 0, 0, 0, 0, 3f, 2.9f, -0.01f, 1e-3f];

        (sbyte[] values, float[] scales) = WeightLayouts.QuantizeRows(matrix, rows: 3, columns: 4);
        float[] back = WeightLayouts.DequantizeRows(values, scales, columns: 4);

        Assert.Equal([1f / 127f, 0f, 3f / 127f], scales);
        Assert.Equal(-127, values[1]);
        Assert.Equal(127, values[8]);
        Assert.Equal([0, 0, 0, 0], values[4..8].Select(v => (int)v));
        for (int i = 0; i < matrix.Length; i++)
        {
            Assert.True(Math.Abs(back[i] - matrix[i]) <= (scales[i / 4] / 2) + 1e-7, $"value {i}: {matrix[i]} came back as {back[i]}");
        }
    }

    [Fact]
    public void QuantizeRows_MovieLevels_KeepEveryPairOfProductsInsideInt16()
    {
        // The reason for 7 bits on the movie side: VPMADDUBSW adds two uint8 × int8 products into a saturating int16.
        float[] matrix = [-2f, 0.5f, 1.5f, 2f];

        (sbyte[] values, float[] scales) = WeightLayouts.QuantizeRows(matrix, rows: 1, columns: 4, WeightLayouts.MovieLevels);

        Assert.Equal(2f / 63f, scales[0], 1e-7f);
        Assert.Equal([-63, 16, 47, 63], values.Select(v => (int)v));
        Assert.True(2 * 255 * values.Max(v => Math.Abs((int)v)) <= short.MaxValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightLayouts.QuantizeRows(matrix, 1, 4, levels: 128));
    }

    [Fact]
    public void QuantizeRows_NonFiniteValue_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => WeightLayouts.QuantizeRows([1f, float.NaN], rows: 1, columns: 2));
    }

    [Theory]
    [InlineData(WeightLayout.Fp16)]
    [InlineData(WeightLayout.Int8)]
    public void ReducedGraph_ScoresAndPairs_EqualTheModelWithRoundedWeights(WeightLayout weights)
    {
        FactorModel model = RandomModel(users: 40, movies: 70, factors: 8, seed: 3);
        FactorModel rounded = Rounded(model, weights);
        Assert.True(MaxDifference(model.MovieFactors.Span, rounded.MovieFactors.Span) > 0, "the rounding changes the weights, so the test can tell the two apart");
        using OnnxScorer scorer = Open(model, FactorModelExporter.Export(model, weights), weights.Name());
        int[] users = [.. Enumerable.Range(0, model.Users)];
        var expected = new float[users.Length * model.Movies];
        rounded.ScoreAll(users, expected);

        float[] scores = scorer.Scores(users);

        Assert.InRange(MaxDifference(scores, expected), 0, 1e-5);
        var random = new Random(4);
        int[] pairUsers = [.. Enumerable.Range(0, 300).Select(_ => random.Next(model.Users))];
        short[] pairMovies = [.. Enumerable.Range(0, 300).Select(_ => (short)random.Next(model.Movies))];
        var predicted = new float[pairUsers.Length];
        rounded.Predict(pairUsers, pairMovies, predicted);
        Assert.InRange(MaxDifference(scorer.PairScores(pairUsers, pairMovies), predicted), 0, 1e-5);
    }

    [Theory]
    [InlineData(WeightLayout.Fp16)]
    [InlineData(WeightLayout.Int8)]
    public void ReducedGraph_PassesOnnxFullCheck(WeightLayout weights)
    {
        FactorModel model = RandomModel(users: 12, movies: 20, factors: 4, seed: 6);
        string path = _directory.Combine($"check-{weights.Name()}.onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(FactorModelExporter.Export(model, weights), new OnnxModelFacts(model.Name, model.Family, model.Users, model.Movies, "test")), path);

        (int exitCode, string output) = PythonOnnx.FullCheck(path);

        Assert.True(exitCode == 0, $"onnx.checker.check_model(full_check=True) rejects the {weights.Name()} graph: {output}");
    }

    [Fact]
    public void Int8Graph_UserScoredAloneOrInABatch_SameBits()
    {
        FactorModel model = RandomModel(users: 30, movies: 50, factors: 16, seed: 8);
        using OnnxScorer scorer = Open(model, FactorModelExporter.Export(model, WeightLayout.Int8), "int8");

        float[] alone = scorer.Scores([7]);
        float[] batch = scorer.Scores([3, 29, 7, 0]);

        Assert.Equal(alone, batch.AsSpan(2 * model.Movies, model.Movies).ToArray());
    }

    [Fact]
    public void ReducedGraph_BiasBaseline_IsRefused()
    {
        FactorModel bias = RandomModel(users: 5, movies: 6, factors: 0, seed: 1);

        var error = Assert.Throws<ArgumentException>(() => FactorModelExporter.Export(bias, WeightLayout.Int8));
        Assert.Contains("--weights int8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("fp16")]
    public void Export_ReducedWeights_WritesLayoutAndParityToManifest(string weights)
    {
        string model = Train("biased-mf");

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--weights", weights]));

        ModelManifest manifest = ModelStore.ReadManifest(model);
        OnnxSignature onnx = Assert.IsType<OnnxSignature>(manifest.Onnx);
        Assert.Equal(weights, onnx.Weights);
        WeightParity parity = Assert.IsType<WeightParity>(onnx.WeightParity);
        Assert.Equal(weights, parity.Weights);
        Assert.True(parity.Passed);
        Assert.InRange(parity.MeanTop10Overlap, WeightGate.Default.MinTop10Overlap, 1);
        Assert.InRange(parity.MaxScoreDifference, 0, WeightGate.Default.MaxScoreDifference);
        Assert.Equal((WeightGate.Default.MinTop10Overlap, WeightGate.Default.MaxScoreDifference), (parity.MinTop10OverlapGate, parity.MaxScoreDifferenceGate));
        OnnxArtifact.Validate(model, manifest);
    }

    [Fact]
    public void ExportJson_Int8_ReportsWeightsAndParityFigures()
    {
        string model = Train("biased-mf");

        ExportSummary result = ExportCommand.Run(model, null, json: true, WeightLayout.Int8, WeightGate.Default);

        Assert.Equal("int8", result.Weights);
        ExportWeightParity parity = Assert.IsType<ExportWeightParity>(result.WeightParity);
        Assert.InRange(parity.MeanTop10Overlap, WeightGate.Default.MinTop10Overlap, 1);
        Assert.Equal(WeightGate.Default.MaxScoreDifference, parity.MaxScoreDifferenceGate);
    }

    [Fact]
    public void Export_Fp32_RecordsFp32AndNoWeightParity()
    {
        string model = Train("biased-mf");

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--weights", "fp32"]));

        OnnxSignature onnx = ModelStore.ReadManifest(model).Onnx!;
        Assert.Equal("fp32", onnx.Weights);
        Assert.Null(onnx.WeightParity);
    }

    [Theory]
    [InlineData("biased-mf", "int8")]
    [InlineData("bias", "fp32")]
    public void Export_DefaultWeights_Int8ForFactorGraphsElseFp32(string name, string expected)
    {
        string model = Train(name);

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model]));

        OnnxSignature onnx = ModelStore.ReadManifest(model).Onnx!;
        Assert.Equal(expected, onnx.Weights);
        Assert.Equal(expected == "int8", onnx.WeightParity is { Passed: true });
    }

    [Fact]
    public void Export_DefaultWeightsBelowTheGate_FallsBackToExactFp32()
    {
        string model = Train("biased-mf");

        Assert.Equal(CliRun.Success, CliApp.Run(["export", "--model", model, "--max-score-diff", "0"]));

        ModelManifest manifest = ModelStore.ReadManifest(model);
        Assert.Equal("fp32", manifest.Onnx!.Weights);
        Assert.Null(manifest.Onnx.WeightParity);
        OnnxArtifact.Validate(model, manifest);
    }

    [Fact]
    public void Export_Int8BelowTheGate_ExitsTwoAndChangesNothing()
    {
        string model = Train("biased-mf");
        string[] before = Listing(model);

        // No rounded model keeps every score within 0 of fp32: the gate must refuse it.
        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", model, "--weights", "int8", "--max-score-diff", "0"]));

        Assert.Equal(before, Listing(model));
        Assert.Null(ModelStore.ReadManifest(model).Onnx);
    }

    [Theory]
    [InlineData("bias", "int8")]
    [InlineData("biased-mf", "int4")]
    public void Export_WeightsTheModelCannotTake_ExitsTwo(string name, string weights)
    {
        string model = Train(name);

        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", model, "--weights", weights]));
        Assert.Null(ModelStore.ReadManifest(model).Onnx);
    }

    [Theory]
    [InlineData("--min-top10-overlap", "1.5")]
    [InlineData("--max-score-diff", "-1")]
    public void Export_GateOutOfRange_ExitsTwo(string option, string value)
    {
        Assert.Equal(CliRun.BadInput, CliApp.Run(["export", "--model", _directory.Combine("unused"), "--weights", "int8", option, value]));
    }

    internal static FactorModel RandomModel(int users, int movies, int factors, int seed)
    {
        var random = new Random(seed);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        return new FactorModel("biased-mf", "mf", 3.6f, Values(users, 0.4), Values(movies, 0.4), factors,
            Values(users * factors, 0.6), Values(movies * factors, 0.6));
    }

    // The model the reduced graph really scores: Q rounded to half floats, or P and Q through the int8 row quantizer.
    internal static FactorModel Rounded(FactorModel model, WeightLayout weights)
    {
        if (weights == WeightLayout.Fp16)
        {
            return model with { MovieFactors = model.MovieFactors.ToArray().Select(x => (float)(Half)x).ToArray() };
        }

        (sbyte[] p, float[] ps) = WeightLayouts.QuantizeRows(model.UserFactors.Span, model.Users, model.Factors);
        (sbyte[] q, float[] qs) = WeightLayouts.QuantizeRows(model.MovieFactors.Span, model.Movies, model.Factors, WeightLayouts.MovieLevels);
        return model with
        {
            UserFactors = WeightLayouts.DequantizeRows(p, ps, model.Factors),
            MovieFactors = WeightLayouts.DequantizeRows(q, qs, model.Factors),
        };
    }

    private static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    private OnnxScorer Open(IRatingModel model, ExportedGraph graph, string tag)
    {
        string path = _directory.Combine($"{model.Name}-{tag}-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(graph, new OnnxModelFacts(model.Name, model.Family, model.Users, model.Movies, "test")), path);
        return OnnxScorer.Open(path, graph.UserInput, model.Movies);
    }

    private string Train(string name)
    {
        string model = _tiny.Directory.Combine("models", name + "-" + Guid.NewGuid().ToString("N"));
        string config = _tiny.Directory.Write("short-" + Guid.NewGuid().ToString("N") + ".json", "{\"max_epochs\": 2}");
        Assert.Equal(CliRun.Success, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", name, "--out", model, "--config", config]));
        return model;
    }

    private static string[] Listing(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(f => Path.GetFileName(f) + ":" + (File.Exists(f) ? File.GetLastWriteTimeUtc(f).Ticks : 0)).Order()];
}
