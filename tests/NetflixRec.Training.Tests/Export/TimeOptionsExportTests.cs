using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Export;

/// <summary>The time models' options in ONNX: with c_u(t) off and on, and p_{u,t}, ONNX Runtime scores like the model on seen and unseen days.</summary>
public sealed class TimeOptionsExportTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("time-bias", false, false)]
    [InlineData("time-bias", true, false)]
    [InlineData("timesvdpp", false, false)]
    [InlineData("timesvdpp", true, true)]
    public void Export_Options_OnnxRuntimeMatchesModel(string name, bool scaling, bool dayFactors)
    {
        (TrainingData data, _) = MfFixtures.LowRank(50, 30, rank: 3, observed: 0.5, seed: 4);
        System.Text.Json.Nodes.JsonObject overrides = new() { ["threads"] = 1, ["max_epochs"] = 3, ["user_scaling"] = scaling, ["scale_learning_rate"] = 0.01 };
        if (name == "timesvdpp")
        {
            overrides["day_factors"] = dayFactors;
            overrides["day_factor_learning_rate"] = 0.01;
        }

        var model = (TimeAwareModel)ModelCatalog.Find(name).Train(data, ModelCatalog.Configure(name, overrides, "test"), MfFixtures.NoProgress).Model;
        Assert.Equal(scaling, model.HasScaling);
        Assert.Equal(dayFactors, model.HasDayFactors);
        ExportedGraph graph = OnnxExporters.Find(model).Export(model);
        string path = _directory.Combine($"{name}-{scaling}-{dayFactors}.onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(graph, new OnnxModelFacts(name, model.Family, model.Users, model.Movies, "test")), path);
        RatingIndex history = RatingIndex.ByUser(data.Train, model.Users);

        ParityReport parity = OnnxParity.Check(model, path, graph.UserInput, history, OnnxParity.SampleUsers(model.Users, 20, seed: 2));
        Assert.True(parity.Passed, parity.ToString());

        // Pairs on training days (the day terms present) and on other days (absent).
        ReadOnlySpan<int> users = data.Train.Users.Span;
        ReadOnlySpan<short> movies = data.Train.Movies.Span, days = data.Train.Days.Span;
        var random = new Random(3);
        int n = 100;
        int[] u = new int[n];
        short[] m = new short[n], d = new short[n];
        for (int i = 0; i < n; i++)
        {
            int row = random.Next(users.Length);
            u[i] = users[row];
            m[i] = movies[random.Next(movies.Length)];
            d[i] = i % 2 == 0 ? days[row] : (short)(days[row] + 1 + random.Next(300));
        }

        var expected = new float[n];
        model.Predict(u, m, d, expected);
        using OnnxScorer scorer = OnnxScorer.Open(path, graph.UserInput, model.Movies, history);
        float[] actual = scorer.PairScores(u, m, d);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4, $"pair ({u[i]}, {m[i]}, day {d[i]}): onnx {actual[i]}, model {expected[i]}");
        }
    }
}
