using System.Reflection;
using System.Text.Json.Nodes;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Models;

/// <summary>The shared options record: every model's config derives from it, binds flat JSON, and every trainer checks it.</summary>
public sealed class TrainingOptionsTests
{
    private static readonly string[] s_sharedFields = ["seed", "threads", "max_epochs", "validation_fraction"];

    public static TheoryData<string> Models() => [.. ModelCatalog.Names];

    /// <summary>Every model and every shared field it has, with a value the check must refuse.</summary>
    public static TheoryData<string, string, double> BadSharedValues()
    {
        var data = new TheoryData<string, string, double>();
        foreach (string model in ModelCatalog.Names)
        {
            data.Add(model, "max_epochs", 0);
            data.Add(model, "validation_fraction", 1.5);
            data.Add(model, "validation_fraction", -0.1);
            data.Add(model, "threads", -1);
            if (ModelConfig.Defaults(model).ContainsKey("patience"))
            {
                data.Add(model, "patience", -1);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadSharedValues))]
    public void Train_BadSharedOption_EveryModelRefusesItNamingTheField(string model, string field, double value)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 12, movies: 8, rank: 2, observed: 0.7, seed: 1);
        ModelEntry entry = ModelCatalog.Find(model);
        JsonObject overrides = new() { [field] = field is "validation_fraction" ? JsonValue.Create(value) : JsonValue.Create((int)value) };
        TrainingOptions config = ModelCatalog.Configure(model, overrides, "test");

        ArgumentException error = Assert.Throws<ArgumentException>(() => entry.Train(data, config, MfFixtures.NoProgress));

        Assert.Equal(field, error.ParamName);
        Assert.Contains($"{model} config field '{field}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gcmc", "dropout", "1")]
    [InlineData("gcmc", "bases", "0")]
    [InlineData("gcmc", "patience_steps", "-1")]
    [InlineData("lightgcn", "positive_stars", "6")]
    [InlineData("lightgcn", "calibration_sample", "1")]
    [InlineData("sage", "fanouts", "[3, 0]")]
    [InlineData("deep-ae", "encoder", "[16, 0]")]
    [InlineData("deep-ae", "code_dropout", "1")]
    [InlineData("autorec-u", "input_dropout", "-0.5")]
    [InlineData("autorec-i", "hidden", "0")]
    [InlineData("mult-vae", "latent", "0")]
    [InlineData("mult-vae", "positive_threshold", "6")]
    [InlineData("biased-mf", "grid_blocks", "-1")]
    public void Train_BadModelField_IsAnErrorNamingTheField(string model, string field, string json)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 12, movies: 8, rank: 2, observed: 0.7, seed: 1);
        TrainingOptions config = ModelCatalog.Configure(model, new JsonObject { [field] = JsonNode.Parse(json), ["max_epochs"] = 1 }, "test");

        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find(model).Train(data, config, MfFixtures.NoProgress));

        Assert.Equal(field, error.ParamName);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Defaults_BindToTheSharedRecordAndBackToTheSameFlatJson(string model)
    {
        JsonObject defaults = ModelConfig.Defaults(model);

        TrainingOptions config = ModelCatalog.Find(model).Bind(defaults, "defaults.json");
        JsonObject back = ModelConfig.ToJson(config);

        Assert.Equal(defaults.Select(p => p.Key).Order(), back.Select(p => p.Key).Order());
        foreach (string field in s_sharedFields)
        {
            Assert.True(JsonNode.DeepEquals(defaults[field], back[field]) || defaults[field]!.GetValue<double>() == back[field]!.GetValue<double>(),
                $"{model}: {field} {defaults[field]} came back as {back[field]}");
        }

        Assert.Equal(defaults["seed"]!.GetValue<int>(), config.Seed);
        Assert.Equal(defaults["max_epochs"]!.GetValue<int>(), config.MaxEpochs);
        Assert.Equal(defaults.ContainsKey("patience"), config is EarlyStoppingOptions);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ConfigRecords_DeclareNoSharedOptionOfTheirOwn(string model)
    {
        Type type = ModelCatalog.Find(model).Bind(ModelConfig.Defaults(model), "defaults.json").GetType();

        string[] shared = [.. typeof(EarlyStoppingOptions).GetProperties().Select(p => p.Name)];
        PropertyInfo[] redeclared = [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => shared.Contains(p.Name))];

        Assert.Empty(redeclared);
        Assert.True(type.IsSubclassOf(typeof(TrainingOptions)), $"{type.Name} does not derive from TrainingOptions");
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("max_epochs")]
    [InlineData("patience")]
    public void Bind_MissingSharedOption_IsAnErrorNamingIt(string field)
    {
        JsonObject hyperparameters = ModelConfig.Defaults("biased-mf");
        hyperparameters.Remove(field);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelCatalog.Find("biased-mf").Bind(hyperparameters, "my.json"));

        Assert.StartsWith("my.json:", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_PatienceForTheModelThatKeepsItsLastEpoch_IsAnUnknownField()
    {
        InvalidDataException error = Assert.Throws<InvalidDataException>(() =>
            ModelCatalog.Configure("mult-vae", new JsonObject { ["patience"] = 3 }, "my.json"));

        Assert.Contains("patience", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> WholeEpochModels() => [.. ModelCatalog.All.Where(e => !e.PartialEpochs).Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(WholeEpochModels))]
    public void Train_EpochFractionForAModelOfWholeEpochs_IsRefusedNamingTheField(string model)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 12, movies: 8, rank: 2, observed: 0.7, seed: 1);
        TrainingOptions config = ModelCatalog.Configure(model, new JsonObject { ["epoch_fraction"] = 0.5 }, "test");

        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find(model).Train(data, config, MfFixtures.NoProgress));

        Assert.Equal("epoch_fraction", error.ParamName);
        Assert.Contains("whole epochs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PartialEpochs_AreTheAutoencodersAndGraphModels()
    {
        string[] partial = [.. ModelCatalog.All.Where(e => e.PartialEpochs).Select(e => e.Name).Order()];

        Assert.Equal(["autorec-i", "autorec-u", "deep-ae", "gcmc", "lightgcn", "mult-vae", "sage"], partial);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void Train_EpochFractionOutOfRange_IsRefusedNamingTheField(double fraction)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 12, movies: 8, rank: 2, observed: 0.7, seed: 1);
        TrainingOptions config = ModelCatalog.Configure("lightgcn", new JsonObject { ["epoch_fraction"] = fraction }, "test");

        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelCatalog.Find("lightgcn").Train(data, config, MfFixtures.NoProgress));

        Assert.Equal("epoch_fraction", error.ParamName);
    }

    [Fact]
    public void Train_EpochFraction_BecomesTheBudgetTheTrainerSees_UnlessABenchmarkSetOne()
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 12, movies: 8, rank: 2, observed: 0.7, seed: 1);
        EpochBudget? seen = null;
        ModelEntry probe = ModelEntry.Of<BiasConfig>("probe", "test", (d, _, _) =>
        {
            seen = d.Budget;
            throw new TrainerReached();
        }, (_, _) => throw new NotSupportedException(), partialEpochs: true);
        BiasConfig config = ModelConfig.DefaultsOf<BiasConfig>("bias") with { EpochFraction = 0.25 };

        Assert.Throws<TrainerReached>(() => probe.Train(data, config, MfFixtures.NoProgress));
        Assert.Equal(0.25, seen!.Limit);

        Assert.Throws<TrainerReached>(() => probe.Train(data, config with { EpochFraction = null }, MfFixtures.NoProgress));
        Assert.Same(EpochBudget.Whole, seen);

        var bench = new EpochBudget(0.01);
        Assert.Throws<TrainerReached>(() => probe.Train(data with { Budget = bench }, config, MfFixtures.NoProgress));
        Assert.Same(bench, seen);
    }

    [Fact]
    public void EpochFraction_IsWrittenBackOnlyWhenSet()
    {
        TrainingOptions config = ModelCatalog.Configure("sage", new JsonObject { ["epoch_fraction"] = 0.1 }, "test");

        Assert.Equal(0.1, ModelConfig.ToJson(config)["epoch_fraction"]!.GetValue<double>());
        Assert.False(ModelConfig.ToJson(config with { EpochFraction = null }).ContainsKey("epoch_fraction"));
    }

    private sealed class TrainerReached : Exception;
}
