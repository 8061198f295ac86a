using NetflixRec.Contracts;
using NetflixRec.Training.Export;
using NetflixRec.Training.Tests.MatrixFactorization;
using Onnx;

namespace NetflixRec.Training.Tests.Export;

/// <summary>The graph builder's guarantees and the helper that rating-vector exporters use for pair_scores.</summary>
[Collection(TorchCollection.Name)]
public sealed class OnnxGraphBuilderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void Node_UndefinedInput_Throws()
    {
        var graph = new OnnxGraphBuilder("g");

        Assert.Throws<ArgumentException>(() => graph.Add("a", "b"));
    }

    [Fact]
    public void Input_SameNameTwice_Throws()
    {
        var graph = new OnnxGraphBuilder("g");
        graph.Input("x", TensorProto.Types.DataType.Float, OnnxDim.Dynamic("n"));

        Assert.Throws<ArgumentException>(() => graph.Input("x", TensorProto.Types.DataType.Float, OnnxDim.Dynamic("n")));
    }

    [Fact]
    public void Output_NotComputed_Throws()
    {
        var graph = new OnnxGraphBuilder("g");

        Assert.Throws<ArgumentException>(() => ServingGraph.Outputs(graph, 3));
    }

    [Fact]
    public void GatherPairs_RatingVectorGraph_PicksTheRowAndMovieOfEachPair()
    {
        // scores = 2 · user_ratings + 1: a rating-vector graph in the shape an autoencoder exporter builds.
        const int Movies = 5;
        var graph = new OnnxGraphBuilder("affine");
        (string ratings, string rows, string movies) = ServingGraph.RatingVectorInputs(graph, Movies);
        string scores = graph.Add(graph.Mul(ratings, graph.Initializer("two", [1], [2f])), graph.Initializer("one", [1], [1f]), OnnxContract.Scores);
        graph.GatherPairs(scores, rows, movies, OnnxContract.PairScores);
        ServingGraph.Outputs(graph, Movies);
        string path = Path.Combine(_directory.Path, "affine.onnx");
        OnnxModelFile.Write(OnnxModelFile.Assemble(new ExportedGraph(graph.Build(), OnnxContract.RatingVectorInput, OnnxContract.RatingScores),
            new OnnxModelFacts("affine", "test", 3, Movies, "test")), path);
        var history = NetflixRec.Training.Data.Transforms.RatingIndex.ByUser(MfFixtures.Table([(0, 1, 5), (1, 4, 3), (2, 0, 1), (2, 4, 2)]), 3);

        using OnnxScorer scorer = OnnxScorer.Open(path, OnnxContract.RatingVectorInput, Movies, history);
        float[] pairs = scorer.PairScores([2, 0, 1, 2, 0], [4, 1, 4, 3, 0]);
        (long[] scoreShape, long[] pairShape) = scorer.Shapes([0, 1], [], []);

        Assert.Equal([5f, 11f, 7f, 1f, 1f], pairs);
        Assert.Equal([2L, Movies], scoreShape);
        Assert.Equal([0L], pairShape);
        Assert.Equal(0, PythonOnnx.FullCheck(path).ExitCode);
    }

    public void Dispose() => _directory.Dispose();
}
