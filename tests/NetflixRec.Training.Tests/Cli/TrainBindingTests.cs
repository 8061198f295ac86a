using System.Text.Json.Nodes;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>Hyperparameters are JSON only at the edge: <c>train</c> binds them to the model's config record once, first.</summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class TrainBindingTests
{
    private readonly TinyDataset _tiny;

    public TrainBindingTests(TinyDataset tiny) => _tiny = tiny;

    [Theory]
    [InlineData("svdpp", "{\"max_epochs\": 0}")]
    [InlineData("biased-mf-als", "{\"patience\": -1}")]
    [InlineData("nmf", "{\"validation_fraction\": 1}")]
    public void Train_BadSharedOption_ExitsTwoAndWritesNothing(string model, string json)
    {
        string config = _tiny.Directory.Write("shared-" + Guid.NewGuid().ToString("N") + ".json", json);
        string output = _tiny.Directory.Combine("models", "shared-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(CliRun.BadInput, CliApp.Run(["train", "--data", _tiny.Dataset, "--model", model, "--config", config, "--out", output]));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Train_IllTypedField_FailsOnTheConfigBeforeReadingAnyData()
    {
        string config = _tiny.Directory.Write("typed-" + Guid.NewGuid().ToString("N") + ".json", "{\"seed\": \"one\"}");

        // The data directory does not exist: the error is the config's, so the binding came first.
        InvalidDataException error = Assert.Throws<InvalidDataException>(() =>
            TrainCommand.Run("/nonexistent/dataset", "bias", config, _tiny.Directory.Combine("never"), json: false));

        Assert.StartsWith($"{config}: field 'seed'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_AnotherModelsConfigRecord_IsAnErrorNamingBoth()
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 8, movies: 6, rank: 1, observed: 0.8, seed: 1);
        TrainingOptions bias = ModelCatalog.Configure(BiasBaseline.Name, null, "defaults.json");

        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find(NonNegativeMf.Name).Train(data, bias, MfFixtures.NoProgress));

        Assert.Contains("NonNegativeMfConfig", error.Message, StringComparison.Ordinal);
        Assert.Contains("BiasConfig", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_MergesOverridesIntoTheDefaultsAsTheTypedRecord()
    {
        var config = (BiasedMfConfig)ModelCatalog.Configure(BiasedMfSgd.Name, new JsonObject { ["factors"] = 7, ["seed"] = 9 }, "test");

        Assert.Equal(7, config.Factors);
        Assert.Equal(9, config.Seed);
        Assert.Equal(ModelConfig.DefaultsOf<BiasedMfConfig>(BiasedMfSgd.Name) with { Factors = 7, Seed = 9 }, config);
    }
}
