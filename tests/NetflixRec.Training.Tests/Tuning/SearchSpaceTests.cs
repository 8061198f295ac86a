using System.Text.Json.Nodes;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tuning;

namespace NetflixRec.Training.Tests.Tuning;

public sealed class SearchSpaceTests
{
    public static TheoryData<string> Models => [.. ModelCatalog.Names];

    [Theory]
    [MemberData(nameof(Models))]
    public void For_EveryModel_HasAValidEmbeddedSpaceOfItsOwnFields(string model)
    {
        SearchSpace space = SearchSpace.For(model);

        Assert.NotEmpty(space.Parameters);
        JsonObject defaults = ModelConfig.Defaults(model);
        Assert.All(space.Parameters, p => Assert.True(defaults.ContainsKey(p.Name), p.Name));
    }

    [Fact]
    public void Parse_WellFormedRanges_ReadsEveryKind()
    {
        SearchSpace space = Parse("""
            {"learning_rate": {"type": "log_uniform", "low": 0.001, "high": 0.1},
             "learning_rate_decay": {"type": "uniform", "low": 0.9, "high": 1},
             "factors": {"type": "log_int", "low": 8, "high": 128},
             "max_epochs": {"type": "int", "low": 5, "high": 50},
             "grid_blocks": {"type": "choice", "values": [0, 8, 16]}}
            """);

        Assert.Equal([RangeKind.LogUniform, RangeKind.Uniform, RangeKind.LogInt, RangeKind.Int, RangeKind.Choice], space.Parameters.Select(p => p.Kind));
    }

    [Theory]
    [InlineData("""{"learnin_rate": {"type": "uniform", "low": 0, "high": 1}}""", "'learnin_rate' is not a hyperparameter of biased-mf")]
    [InlineData("""{"learning_rate": {"type": "uniform", "low": 0, "high": 1, "step": 2}}""", "unknown field 'step'")]
    [InlineData("""{"learning_rate": {"type": "normal", "low": 0, "high": 1}}""", "unknown type 'normal'")]
    [InlineData("""{"learning_rate": {"type": "uniform", "low": 1, "high": 1}}""", "'low' (1) must be below 'high' (1)")]
    [InlineData("""{"learning_rate": {"type": "log_uniform", "low": 0, "high": 1}}""", "a logarithmic range needs 'low' > 0")]
    [InlineData("""{"factors": {"type": "int", "low": 1.5, "high": 8}}""", "whole 'low' and 'high'")]
    [InlineData("""{"factors": {"type": "choice", "values": []}}""", "'values' must be a non-empty array")]
    [InlineData("""{"factors": {"type": "choice", "low": 1, "values": [1]}}""", "a choice takes 'values'")]
    [InlineData("""{"learning_rate": {"type": "uniform", "high": 1}}""", "'low' must be a finite number")]
    [InlineData("""{"learning_rate": 0.01}""", "expected an object")]
    [InlineData("""{"seed": {"type": "int", "low": 1, "high": 9}}""", "'seed' is fixed while tuning")]
    [InlineData("""{}""", "has no parameters")]
    public void Parse_BadSpace_NamesTheSourceAndTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Parse(json));

        Assert.Contains("space.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_KeyedByModel_TakesThatModelsEntry()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("space.json", """{"bias": {"user_regularization": {"type": "uniform", "low": 1, "high": 2}}}""");

        SearchSpace space = SearchSpace.ReadFile(path, "bias");

        Assert.Equal("user_regularization", Assert.Single(space.Parameters).Name);
        Assert.Contains("no entry for model 'biased-mf'", Assert.Throws<InvalidDataException>(() => SearchSpace.ReadFile(path, "biased-mf")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RangeKind.Uniform, 0.5, 2.0)]
    [InlineData(RangeKind.LogUniform, 0.001, 0.1)]
    [InlineData(RangeKind.LogInt, 8, 256)]
    [InlineData(RangeKind.Int, 1, 4)]
    public void FromUnit_ThenToUnit_RoundTripsWithinTheRange(RangeKind kind, double low, double high)
    {
        var range = new ParameterRange("x", kind, low, high, []);
        foreach (double u in new[] { 0.0, 0.25, 0.5, 0.9, 1.0 })
        {
            JsonNode value = range.FromUnit(u);
            double x = Number(value);
            Assert.InRange(x, low, high);
            double back = range.ToUnit(value)!.Value;
            Assert.Equal(x, Number(range.FromUnit(back)), 1e-9);
        }

        Assert.Equal(low, Number(range.FromUnit(0)), 1e-9);
        Assert.Equal(high, Number(range.FromUnit(1)), 1e-9);
        Assert.Null(range.ToUnit(JsonValue.Create(high * 2)));
    }

    [Fact]
    public void LogUniform_Midpoint_IsTheGeometricMean()
    {
        var range = new ParameterRange("x", RangeKind.LogUniform, 0.001, 0.1, []);

        Assert.Equal(0.01, range.FromUnit(0.5).GetValue<double>(), 1e-12);
    }

    private static double Number(JsonNode value) => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static SearchSpace Parse(string json) => SearchSpace.Parse("biased-mf", JsonNode.Parse(json)!.AsObject(), "space.json");
}
