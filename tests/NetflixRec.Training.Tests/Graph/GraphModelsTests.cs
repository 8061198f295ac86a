using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Tests.MatrixFactorization;
using TorchSharp;

namespace NetflixRec.Training.Tests.Graph;

[Collection(TorchCollection.Name)]
public sealed class GraphModelsTests
{
    // Small steps on small data: these settings keep each training run to about a second on one thread.
    private static readonly JsonObject s_gcmcQuick = new() { ["hidden"] = 16, ["factors"] = 8, ["batch_size"] = 256, ["threads"] = 1 };
    private static readonly JsonObject s_lightGcnQuick = new() { ["factors"] = 8, ["batch_size"] = 256, ["threads"] = 1, ["calibration_sample"] = 1000 };
    private static readonly JsonObject s_sageQuick = new() { ["factors"] = 8, ["fanouts"] = new JsonArray(5, 3), ["batch_size"] = 256, ["threads"] = 1 };

    public static TheoryData<string> Names => [Gcmc.Name, LightGcn.Name, Sage.Name];

    [Theory]
    [MemberData(nameof(Names))]
    public void Find_GraphModel_IsRegisteredInTheGnnFamilyWithBindableDefaults(string name)
    {
        ModelEntry entry = ModelCatalog.Find(name);

        Assert.Equal(ModelFamily.Graph, entry.Family);
        Assert.Equal("cpu", ModelConfig.Defaults(name)["device"]!.GetValue<string>());
    }

    [Fact]
    public void LightGcnTrainer_ToyGraph_BprLossDecreases()
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 40, movies: 30, rank: 2, observed: 0.6, seed: 3);
        LightGcnConfig config = Bind<LightGcnConfig>(LightGcn.Name, s_lightGcnQuick, ("positive_stars", 3));
        using var trainer = new LightGcnTrainer(data, config);

        double first = trainer.RunEpoch(1);
        double last = first;
        for (int epoch = 2; epoch <= 15; epoch++)
        {
            last = trainer.RunEpoch(epoch);
        }

        Assert.InRange(first, 0.6, 0.7); // ≈ ln 2 from near-zero initial scores
        Assert.True(last < first - 0.05, $"BPR loss {first:F4} → {last:F4}");
    }

    [Fact]
    public void Gcmc_TinyLowRankSet_BeatsBiasBaseline()
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 60, movies: 40, rank: 2, observed: 0.6, seed: 5);
        GcmcConfig config = Bind<GcmcConfig>(Gcmc.Name, s_gcmcQuick, ("max_epochs", 40), ("patience", 0), ("dropout", 0.0));

        TrainedModel trained = Gcmc.Train(data, config, MfFixtures.NoProgress);

        AssertBeatsBias(trained.Model, data, heldOut, margin: 0.05);
    }

    [Fact]
    public void Gcmc_PatienceSteps_KeepsTrainingThroughAPlateauThatStopsThePatienceInEpochs()
    {
        (TrainingData train, RatingTable heldOut) = MfFixtures.LowRank(users: 60, movies: 40, rank: 2, observed: 0.6, seed: 5);
        TrainingData data = train with { Validation = heldOut };
        // On this held-out set the validation error rises for an epoch within the first 40, so a patience of 1 epoch stops early.
        GcmcConfig Config(int patienceSteps) => Bind<GcmcConfig>(Gcmc.Name, s_gcmcQuick,
            ("max_epochs", 40), ("patience", 1), ("learning_rate", 0.05), ("dropout", 0.0), ("patience_steps", patienceSteps));
        GcmcConfig byEpochs = Config(0);
        GcmcConfig bySteps = Config(10_000);

        TrainedModel stopped = Gcmc.Train(data, byEpochs, MfFixtures.NoProgress);
        TrainedModel covered = Gcmc.Train(data, bySteps, MfFixtures.NoProgress);

        Assert.True(stopped.Curve.Count < 40, $"the patience of 1 epoch ran all {stopped.Curve.Count} epochs");
        Assert.Equal(40, covered.Curve.Count);
        Assert.Equal(stopped.Curve.Select(e => e.ValidationRmse), covered.Curve.Take(stopped.Curve.Count).Select(e => e.ValidationRmse));
        int best = covered.Curve.MinBy(e => e.ValidationRmse)!.Epoch;
        Assert.Equal(best, covered.BestEpoch);
    }

    [Fact]
    public void Sage_TinyLowRankSet_BeatsBiasBaseline()
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 60, movies: 40, rank: 2, observed: 0.6, seed: 5);
        SageConfig config = Bind<SageConfig>(Sage.Name, s_sageQuick, ("max_epochs", 40), ("patience", 0), ("learning_rate", 0.02));

        TrainedModel trained = Sage.Train(data, config, MfFixtures.NoProgress);

        AssertBeatsBias(trained.Model, data, heldOut, margin: 0.05);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SaveThenLoad_TrainedGraphModel_PredictsAndScoresExactlyTheSame(string name)
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 30, movies: 20, rank: 2, observed: 0.7, seed: 2);
        TrainedModel trained = ModelCatalog.Find(name).Train(data, Quick(name, 2), MfFixtures.NoProgress);
        using var dir = new TempDirectory();
        string path = dir.Combine("model");

        ModelStore.Save(path, trained.Model, ModelStore.ManifestFor(trained, data, 1.0, new Dictionary<string, long>(), "test"));
        (IRatingModel loaded, ModelManifest manifest) = ModelStore.Load(path);

        Assert.Equal(name, manifest.Name);
        Assert.Equal(ModelFamily.Graph, loaded.Family);
        Assert.Equal(RatingMetrics.PredictClipped(trained.Model, heldOut), RatingMetrics.PredictClipped(loaded, heldOut));
        var before = new float[3 * data.Movies];
        var after = new float[3 * data.Movies];
        trained.Model.ScoreAll([0, 7, 29], before);
        loaded.ScoreAll([0, 7, 29], after);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("gcmc")]
    [InlineData("sage")]
    public void ScoreAll_RatingModel_AgreesWithPredictForEveryMovie(string name)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 30, movies: 21, rank: 2, observed: 0.7, seed: 2);
        IRatingModel model = ModelCatalog.Find(name).Train(data, Quick(name, 2), MfFixtures.NoProgress).Model;
        int[] users = [3, 0, 29, 11, 5];
        var scores = new float[users.Length * data.Movies];

        model.ScoreAll(users, scores);

        var predictions = new float[data.Movies];
        short[] movies = [.. Enumerable.Range(0, data.Movies).Select(m => (short)m)];
        for (int i = 0; i < users.Length; i++)
        {
            model.Predict(Enumerable.Repeat(users[i], data.Movies).ToArray(), movies, predictions);
            for (int m = 0; m < data.Movies; m++)
            {
                Assert.Equal(predictions[m], scores[(i * data.Movies) + m], 1e-4);
            }
        }
    }

    [Fact]
    public void LightGcnModel_Predict_IsCalibratedScoreAndScoreAllIsRawScore()
    {
        // Two users, two movies, k = 1: scores are products; stars = 2 + 0.5·score.
        var model = new LightGcnModel(1, new float[] { 1, 2 }, new float[] { 3, -1 }, intercept: 2f, slope: 0.5f);
        var predictions = new float[2];
        var scores = new float[4];

        model.Predict([1, 0], [0, 1], predictions);
        model.ScoreAll([0, 1], scores);

        Assert.Equal([2f + (0.5f * 6), 2f + (0.5f * -1)], predictions);
        Assert.Equal([3f, -1f, 6f, -2f], scores);
    }

    [Fact]
    public void FitCalibration_ExactAffineScores_RecoversInterceptAndSlope()
    {
        // Scores u·m with k = 1 and stars = 1 + 2·score exactly.
        var model = new LightGcnModel(1, new float[] { 1, 2 }, new float[] { 0.5f, 1 }, 0f, 1f);
        var sample = new RatingTable(new[] { 0, 0, 1, 1 }, new short[] { 0, 1, 0, 1 }, new byte[] { 2, 3, 3, 5 }, new short[4]);

        (float intercept, float slope) = LightGcnTrainer.FitCalibration(model, sample);

        Assert.Equal(1f, intercept, 1e-4);
        Assert.Equal(2f, slope, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Train_SeveralEpochs_LiveTensorCountDoesNotGrow(string name)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 40, movies: 30, rank: 2, observed: 0.6, seed: 4);
        var live = new List<long>();
        var recorder = new GraphFixtures.Recorder(_ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        ModelCatalog.Find(name).Train(data, Quick(name, 6), recorder);

        // Epoch 1 creates the optimizer state; from then on every batch's tensors must be disposed with its scope.
        Assert.Equal(6, live.Count);
        Assert.All(live.Skip(2), count => Assert.Equal(live[1], count));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static TrainingOptions Quick(string name, int epochs)
    {
        JsonObject quick = (name switch
        {
            Gcmc.Name => s_gcmcQuick,
            LightGcn.Name => s_lightGcnQuick,
            _ => s_sageQuick,
        }).DeepClone().AsObject();
        quick["max_epochs"] = epochs;
        quick["patience"] = 0;
        return ModelCatalog.Configure(name, quick, "test");
    }

    private static T Bind<T>(string name, JsonObject quick, params (string Key, JsonNode? Value)[] extra)
    {
        JsonObject overrides = quick.DeepClone().AsObject();
        foreach ((string key, JsonNode? value) in extra)
        {
            overrides[key] = value;
        }

        return ModelConfig.Bind<T>(ModelConfig.Merge(name, overrides), "test");
    }

    private static void AssertBeatsBias(IRatingModel model, TrainingData data, RatingTable heldOut, double margin)
    {
        BiasConfig biasConfig = ModelConfig.Bind<BiasConfig>(ModelConfig.Defaults(BiasBaseline.Name), "test");
        double bias = RatingMetrics.Rmse(BiasBaseline.Train(data, biasConfig, MfFixtures.NoProgress).Model, heldOut);
        double rmse = RatingMetrics.Rmse(model, heldOut);
        Assert.True(rmse < bias - margin, $"{model.Name} held-out RMSE {rmse:F4}, bias {bias:F4}");
    }
}
