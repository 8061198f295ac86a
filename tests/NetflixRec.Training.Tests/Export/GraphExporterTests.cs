using NetflixRec.Contracts;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Tests.Export;

/// <summary>
/// The graph kinds' exported math on models small enough to work out by hand: GC-MC's basis layout and softmax
/// expectation, LightGCN's ranking scores beside its calibrated pair ratings.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class GraphExporterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    // d = 2, B = 2, R = 3. P_1 = [[0, 1], [0, 0]] and P_2 = [[0, 0], [0, 1]] are not symmetric, so a transposed basis
    // layout gives other numbers: for u = (1, 2), u^T P_1 = (0, 1) and u^T P_2 = (0, 2); for u = (2, 1), (0, 2) and (0, 1).
    // Movies v_0 = (1, 0), v_1 = (0, 1). Coefficients a_1 = (0, 0), a_2 = (ln 2, 0), a_3 = (0, ln 3 / 2).
    private static GcmcModel HandGcmc() => new(factors: 2, bases: 2, levels: 3,
        userEmbeddings: new float[] { 1, 2, 2, 1 },
        movieEmbeddings: new float[] { 1, 0, 0, 1 },
        decoderBases: new float[] { 0, 1, 0, 0, /* P_2 */ 0, 0, 0, 1 },
        decoderCoefficients: new float[] { 0, 0, MathF.Log(2), 0, 0, MathF.Log(3) / 2 });

    // u_0 with v_1: s = (1, 2), logits (0, ln 2, ln 3), e = (1, 2, 3): r̂ = (1 + 4 + 9) / 6 = 7/3.
    // u_1 with v_1: s = (2, 1), logits (0, 2 ln 2, ln 3 / 2), e = (1, 4, √3): r̂ = (1 + 8 + 3√3) / (5 + √3).
    // v_0 gives s = (0, 0) for both users: equal logits, r̂ = (1 + 2 + 3) / 3 = 2.
    private static readonly float[] s_handScores = [2f, 7f / 3f, 2f, (float)((9 + (3 * Math.Sqrt(3))) / (5 + Math.Sqrt(3)))];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void GcmcExport_HandModel_ScoresAreTheSoftmaxExpectation()
    {
        GcmcModel model = HandGcmc();
        using OnnxScorer scorer = Open(model, GcmcExporter.Export(model));

        float[] scores = scorer.Scores([0, 1]);

        Assert.Equal(s_handScores.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.True(Math.Abs(scores[i] - s_handScores[i]) <= 1e-6, $"scores[{i}]: onnx {scores[i]}, by hand {s_handScores[i]}");
        }
    }

    [Fact]
    public void GcmcExport_HandModel_PairScoresEqualHandValuesAndPredict()
    {
        GcmcModel model = HandGcmc();
        using OnnxScorer scorer = Open(model, GcmcExporter.Export(model));
        int[] users = [1, 0, 1, 0];
        short[] movies = [1, 1, 0, 0];
        float[] byHand = [s_handScores[3], s_handScores[1], s_handScores[2], s_handScores[0]];
        var predicted = new float[users.Length];

        float[] pairs = scorer.PairScores(users, movies);
        model.Predict(users, movies, predicted);

        for (int i = 0; i < pairs.Length; i++)
        {
            Assert.True(Math.Abs(pairs[i] - byHand[i]) <= 1e-6, $"pair {i}: onnx {pairs[i]}, by hand {byHand[i]}");
            Assert.True(Math.Abs(predicted[i] - byHand[i]) <= 1e-6, $"pair {i}: Predict {predicted[i]}, by hand {byHand[i]}");
        }
    }

    [Fact]
    public void LightGcnExport_HandModel_ScoresRankAndPairsAreCalibratedStars()
    {
        // e_u = (1, 2), e_m = (3, −1), (0.5, 0.5): dots 1 and 1.5; calibration 3 + 0.5·dot.
        var model = new LightGcnModel(2, new float[] { 1, 2 }, new float[] { 3, -1, 0.5f, 0.5f }, intercept: 3f, slope: 0.5f);
        ExportedGraph graph = LightGcnExporter.Export(model);
        using OnnxScorer scorer = Open(model, graph);

        float[] scores = scorer.Scores([0]);
        float[] pairs = scorer.PairScores([0, 0], [0, 1]);

        Assert.Equal(OnnxContract.RankingScores, graph.ScoreKind);
        Assert.Equal([1f, 1.5f], scores);
        Assert.Equal([3.5f, 3.75f], pairs);
    }

    private OnnxScorer Open(IRatingModel model, ExportedGraph graph)
    {
        string path = _directory.Combine(model.Name + ".onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(graph, new OnnxModelFacts(model.Name, model.Family, model.Users, model.Movies, "hand")), path);
        return OnnxScorer.Open(path, graph.UserInput, model.Movies);
    }
}
