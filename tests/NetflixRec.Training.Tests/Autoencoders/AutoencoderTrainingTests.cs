using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Autoencoders;

[Collection(TorchCollection.Name)]
public sealed class AutoencoderTrainingTests
{
    // Small networks so each test trains in about a second on one thread.
    private static JsonObject Small(string name, int epochs) => name switch
    {
        "deep-ae" => new JsonObject
        {
            ["encoder"] = new JsonArray(16, 8), ["code_dropout"] = 0.1, ["learning_rate"] = 0.01, ["batch_size"] = 16,
            ["max_epochs"] = epochs, ["threads"] = 1,
        },
        "mult-vae" => new JsonObject
        {
            ["hidden"] = 16, ["latent"] = 4, ["batch_size"] = 16, ["calibration_users"] = 10, ["anneal_steps"] = 20,
            ["max_epochs"] = epochs, ["threads"] = 1,
        },
        _ => new JsonObject
        {
            ["hidden"] = 16, ["learning_rate"] = 0.01, ["regularization"] = 0.001, ["input_dropout"] = 0.0, ["batch_size"] = 16,
            ["max_epochs"] = epochs, ["threads"] = 1,
        },
    };

    [Theory]
    [InlineData("autorec-i")]
    [InlineData("autorec-u")]
    [InlineData("deep-ae")]
    [InlineData("mult-vae")]
    public void SaveThenLoad_TrainedModel_PredictsExactlyTheSame(string name)
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 30, movies: 20, rank: 2, observed: 0.7, seed: 2);
        ModelEntry entry = ModelCatalog.Find(name);
        TrainedModel trained = entry.Train(data, ModelCatalog.Configure(name, Small(name, epochs: 2), "test"), MfFixtures.NoProgress);
        using var dir = new TempDirectory();
        string path = dir.Combine("model");

        ModelStore.Save(path, trained.Model, ModelStore.ManifestFor(trained, data, 1.0, new Dictionary<string, long>(), "test"));
        (IRatingModel loaded, ModelManifest manifest) = ModelStore.Load(path);

        Assert.Equal(name, manifest.Name);
        Assert.Equal(ModelFamily.Autoencoder, loaded.Family);
        Assert.Equal(RatingMetrics.PredictClipped(trained.Model, heldOut, 1), RatingMetrics.PredictClipped(loaded, heldOut, 1));
        var before = new float[2 * data.Movies];
        var after = new float[2 * data.Movies];
        trained.Model.ScoreAll([0, 7], before);
        loaded.ScoreAll([0, 7], after);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("autorec-i")]
    [InlineData("autorec-u")]
    [InlineData("deep-ae")]
    public void Train_LowRankRatings_BeatsBiasBaseline(string name)
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 120, movies: 60, rank: 3, observed: 0.6, seed: 5);
        TrainedModel bias = ModelCatalog.Find("bias").Train(data, ModelCatalog.Configure("bias", new JsonObject { ["threads"] = 1 }, "test"), MfFixtures.NoProgress);

        TrainedModel trained = ModelCatalog.Find(name).Train(data, ModelCatalog.Configure(name, Small(name, epochs: 60), "test"), MfFixtures.NoProgress);

        double baseline = RatingMetrics.Rmse(bias.Model, heldOut), rmse = RatingMetrics.Rmse(trained.Model, heldOut);
        Assert.True(rmse < baseline - 0.02, $"{name}: held-out RMSE {rmse:F4}, bias baseline {baseline:F4}");
    }

    [Fact]
    public void Train_UserModel_ReadsAllTrainingRatingsAtInference()
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 30, movies: 20, rank: 2, observed: 0.7, seed: 3);
        TrainingData withValidation = data with { Train = data.Train.Slice(0, data.Train.Count - 40), Validation = data.Train.Slice(data.Train.Count - 40, 40) };

        var model = (IReadsUserHistory)ModelCatalog.Find("autorec-u").Train(withValidation, ModelCatalog.Configure("autorec-u", Small("autorec-u", 1), "test"), MfFixtures.NoProgress).Model;

        Assert.Equal(data.Train.Count, model.History.Columns.Length);
    }

    [Fact]
    public void Train_DenoisingAndRefeeding_AreSeededAndDeterministic()
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 30, movies: 20, rank: 2, observed: 0.7, seed: 4);
        JsonObject config = Small("deep-ae", 2);
        config["input_dropout"] = 0.3;
        config["dense_refeeding"] = true;

        float[] first = RatingMetrics.PredictClipped(ModelCatalog.Find("deep-ae").Train(data, ModelCatalog.Configure("deep-ae", config, "test"), MfFixtures.NoProgress).Model, heldOut, 1);
        float[] second = RatingMetrics.PredictClipped(ModelCatalog.Find("deep-ae").Train(data, ModelCatalog.Configure("deep-ae", config, "test"), MfFixtures.NoProgress).Model, heldOut, 1);
        config["seed"] = 2;
        float[] reseeded = RatingMetrics.PredictClipped(ModelCatalog.Find("deep-ae").Train(data, ModelCatalog.Configure("deep-ae", config, "test"), MfFixtures.NoProgress).Model, heldOut, 1);

        Assert.Equal(first, second);
        Assert.NotEqual(first, reseeded);
    }
}
