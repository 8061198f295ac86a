using System.Text.Json.Nodes;
using Google.Protobuf;
using NetflixRec.Contracts;
using NetflixRec.Serving;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// Fold-in and similar movies read the movie factors out of the served graph: for fp16 and int8 graphs
/// (<c>export --weights</c>) that must be the weights the graph scores with — widened, and rescaled per movie for int8.
/// </summary>
public sealed class ReducedWeightsTableTests
{
    [Theory]
    [InlineData(WeightLayout.Fp32)]
    [InlineData(WeightLayout.Fp16)]
    [InlineData(WeightLayout.Int8)]
    public void MovieFactorTable_ReducedGraph_HoldsTheWeightsTheGraphScoresWith(WeightLayout weights)
    {
        var random = new Random(5);
        const int users = 6, movies = 9, factors = 4;
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5))];
        var model = new FactorModel("biased-mf", "mf", 3.5f, Values(users), Values(movies), factors, Values(users * factors), Values(movies * factors));
        byte[] graph = OnnxModelFile.Assemble(FactorModelExporter.Export(model, weights),
            new OnnxModelFacts(model.Name, model.Family, users, movies, "test")).ToByteArray();
        float[] expected = weights switch
        {
            WeightLayout.Fp16 => [.. model.MovieFactors.ToArray().Select(x => (float)(Half)x)],
            WeightLayout.Int8 => Int8(model.MovieFactors.Span, movies, factors),
            _ => model.MovieFactors.ToArray(),
        };

        MovieFactorTable table = Assert.IsType<MovieFactorTable>(MovieFactorTable.From(graph, Manifest(users, movies)));

        Assert.Equal(factors, table.FactorCount);
        Assert.Equal(model.MovieBias.ToArray(), table.Bias);
        for (int j = 0; j < movies; j++)
        {
            Assert.Equal(expected.AsSpan(j * factors, factors).ToArray(), table.Factors(j).ToArray());
        }

        if (weights != WeightLayout.Fp32)
        {
            Assert.NotEqual(model.MovieFactors.ToArray(), expected);
        }
    }

    [Fact]
    public void MovieFactorTable_Int8FactorsWithoutTheirScale_IsNoTable()
    {
        var random = new Random(2);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5))];
        var model = new FactorModel("biased-mf", "mf", 3.5f, Values(4), Values(5), 3, Values(12), Values(15));
        Onnx.ModelProto proto = OnnxModelFile.Assemble(FactorModelExporter.Export(model, WeightLayout.Int8), new OnnxModelFacts(model.Name, model.Family, 4, 5, "test"));
        Assert.Equal(1, proto.Graph.Initializer.Count(t => t.Name == "movie_factors_scale"));
        proto.Graph.Initializer.Remove(proto.Graph.Initializer.Single(t => t.Name == "movie_factors_scale"));

        Assert.Null(MovieFactorTable.From(proto.ToByteArray(), Manifest(4, 5)));
    }

    // The movie side as the exporter stores it (7 bits).
    private static float[] Int8(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        (sbyte[] values, float[] scales) = WeightLayouts.QuantizeRows(matrix, rows, columns, WeightLayouts.MovieLevels);
        return WeightLayouts.DequantizeRows(values, scales, columns);
    }

    private static ModelManifest Manifest(int users, int movies) =>
        new("biased-mf", "mf", users, movies, new Dictionary<string, long>(), new JsonObject(), "test", 0, 1, 1, [],
            new Dictionary<string, double>(), 0, "test");
}
