using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Export;

/// <summary>
/// The autoencoder graphs on hand-built weights, where the subtle spots are: Mult-VAE users whose L2 norm is zero
/// (no rating, or no rating at the threshold) and SELU's negative branch in deep-ae.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class AutoencoderExporterTests : IDisposable
{
    // User 0: movie 0 at 4 stars (a positive at threshold 4) and movie 2 at 2; user 1: nothing; user 2: only a 3 (no positive);
    // user 3: 5 and 4 stars, two positives.
    private static readonly RatingIndex s_history =
        RatingIndex.ByUser(MfFixtures.Table([(0, 0, 4), (0, 2, 2), (2, 1, 3), (3, 1, 5), (3, 2, 4)]), users: 4);

    private readonly TempDirectory _directory = new();

    [Fact]
    public void MultVaeExport_UsersWithoutPositives_MatchHandComputedScoresAndCalibratedPairs()
    {
        var input = new DenseLayer(3, 1, new float[] { 0.5f, 3f, -2f }, new float[] { 0.1f });
        var mu = new DenseLayer(1, 1, new float[] { 2f }, new float[] { -0.5f });
        var decoder = new DenseLayer(1, 1, new float[] { 1.5f }, new float[] { 0.2f });
        var output = new OutputLayer(3, 1, new float[] { 1f, -1f, 2f }, new float[] { 0f, 0.5f, -1f });
        var model = new MultVaeModel(input, mu, decoder, output, threshold: 4, new RatingCalibration(5f, 0.5f), s_history);

        using OnnxScorer scorer = Open(model, MultVaeExporter.Export(model));
        float[] scores = scorer.Scores([0, 1, 2, 3]);
        float[] pairs = scorer.PairScores([1, 2, 3, 0], [0, 2, 1, 1]);

        // x·input.weight: user 0 → 0.5; users 1 and 2 → 0 (the zero row stays zero, no 0/0); user 3 → (3 − 2)/√2.
        double[] encoded = [0.5, 0, 0, 1 / Math.Sqrt(2)];
        var expected = new double[12];
        for (int u = 0; u < 4; u++)
        {
            double d = Math.Tanh((1.5 * ((2 * Math.Tanh(encoded[u] + 0.1)) - 0.5)) + 0.2);
            double[] logits = [d, -d + 0.5, (2 * d) - 1];
            double logSum = Math.Log(logits.Sum(Math.Exp));
            for (int m = 0; m < 3; m++)
            {
                expected[(u * 3) + m] = logits[m] - logSum;
                Assert.Equal(expected[(u * 3) + m], scores[(u * 3) + m], 1e-5);
            }
        }

        Assert.Equal(5 + (0.5 * expected[3]), pairs[0], 1e-5);
        Assert.Equal(5 + (0.5 * expected[8]), pairs[1], 1e-5);
        Assert.Equal(5 + (0.5 * expected[10]), pairs[2], 1e-5);
        Assert.Equal(5 + (0.5 * expected[1]), pairs[3], 1e-5);
        AssertSameAsModel(model, scorer);
    }

    [Fact]
    public void MultVaeExport_ThresholdBelowOneStar_Throws()
    {
        var layer = new DenseLayer(1, 1, new float[] { 1f }, new float[] { 0f });
        var model = new MultVaeModel(new DenseLayer(3, 1, new float[3], new float[1]), layer, layer, new OutputLayer(3, 1, new float[3], new float[3]),
            threshold: 0.5f, new RatingCalibration(0f, 1f), s_history);

        ArgumentException error = Assert.Throws<ArgumentException>(() => MultVaeExporter.Export(model));
        Assert.Contains("input.threshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoRecUserExport_WithRowMean_AddsTheShrunkMeanOfTheInputRatings()
    {
        var input = new DenseLayer(3, 1, new float[] { 0.1f, -0.2f, 0.3f }, new float[] { 0f });
        var output = new OutputLayer(3, 1, new float[] { 1f, -2f, 0.5f }, new float[] { 0.25f, 0f, -0.25f });
        var model = new UserAutoencoderModel("autorec-u", Activation.Sigmoid, input, [], output, s_history, new RowMean(Shrinkage: 4f, Prior: 3.5f));

        using OnnxScorer scorer = Open(model, UserAutoencoderExporter.Export(model));
        float[] pairs = scorer.PairScores([0, 1], [0, 0]);

        // User 0 rated 4 and 2: h = sigmoid(0.4 + 0.6) = sigmoid(1), ū = (6 + 14) / (2 + 4); user 1 rated nothing: ū = 3.5.
        double h0 = 1 / (1 + Math.Exp(-1));
        Assert.Equal(h0 + 0.25 + (20.0 / 6), pairs[0], 1e-5);
        Assert.Equal(0.5 + 0.25 + 3.5, pairs[1], 1e-5);
        AssertSameAsModel(model, scorer);
    }

    [Fact]
    public void DeepAeExport_NegativePreActivation_MatchesHandComputedSelu()
    {
        // User 0's first-layer pre-activations: 4·[0.25, −0.25] + 2·[0, 0] = [1, −1]: both SELU branches.
        var input = new DenseLayer(3, 2, new float[] { 0.25f, -0.25f, 7f, 7f, 0f, 0f }, new float[] { 0f, 0f });
        var hidden = new DenseLayer(2, 1, new float[] { 1f, 2f }, new float[] { 0.5f });
        var output = new OutputLayer(3, 1, new float[] { 1f, -2f, 0.5f }, new float[] { 3f, 3f, 3f });
        var model = new UserAutoencoderModel("deep-ae", Activation.Selu, input, [hidden], output, s_history);

        using OnnxScorer scorer = Open(model, UserAutoencoderExporter.Export(model));
        float[] pairs = scorer.PairScores([0, 0, 0], [0, 1, 2]);

        double code = Selu((1 * Selu(1)) + (2 * Selu(-1)) + 0.5);
        Assert.Equal(3 + code, pairs[0], 1e-5);
        Assert.Equal(3 - (2 * code), pairs[1], 1e-5);
        Assert.Equal(3 + (0.5 * code), pairs[2], 1e-5);
        AssertSameAsModel(model, scorer);
    }

    [Fact]
    public void AutoRecItemExport_HandBuiltCodes_IsTheDecoderDotProduct()
    {
        // Codes [movies, 2], the decoder's user rows and the movie biases: r̂_ui = W[u]·code_i + b[u] + item_bias[i],
        // e.g. user 1, movie 0: −0.5 + 0.125 − 0.5 + 0.5; no encoder in the graph.
        float[] codes = [0.5f, 0.25f, 1f, -1f, 0f, 2f];
        var model = new ItemAutoRecModel(new OutputLayer(2, 2, new float[] { 2f, 4f, -1f, 0.5f }, new float[] { 1f, -0.5f }), codes, itemBias: new float[] { 0.5f, 0f, -2f });

        ExportedGraph graph = AutoRecItemExporter.Export(model);
        using OnnxScorer scorer = Open(model, graph);
        float[] scores = scorer.Scores([1, 0]);

        Assert.Equal([-0.375f, -2f, -1.5f, 3.5f, -1f, 7f], scores);
        Assert.DoesNotContain(graph.Graph.Initializer, t => t.Name.StartsWith("input", StringComparison.Ordinal));
        AssertSameAsModel(model, scorer);
    }

    public void Dispose() => _directory.Dispose();

    private static double Selu(double x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.Exp(x) - 1));

    private static void AssertSameAsModel(IRatingModel model, OnnxScorer scorer)
    {
        int[] users = [.. Enumerable.Range(0, model.Users)];
        var expected = new float[users.Length * model.Movies];
        model.ScoreAll(users, expected);
        float[] actual = scorer.Scores(users);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5);
        }
    }

    private OnnxScorer Open(IRatingModel model, ExportedGraph graph)
    {
        string path = Path.Combine(_directory.Path, model.Name + ".onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(graph, new OnnxModelFacts(model.Name, model.Family, model.Users, model.Movies, "test")), path);
        Assert.Equal(0, PythonOnnx.FullCheck(path).ExitCode);
        return OnnxScorer.Open(path, graph.UserInput, model.Movies, graph.UserInput == OnnxContract.RatingVectorInput ? s_history : null);
    }
}
