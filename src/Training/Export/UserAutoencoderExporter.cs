using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Autoencoders;

namespace NetflixRec.Training.Export;

/// <summary>
/// The user-based rating autoencoders (<c>autorec-u</c>: sigmoid, no hidden layers; <c>deep-ae</c>: SELU, hidden.k
/// layers) as their full forward pass over the user's rating vector, exactly <see cref="UserAutoencoderModel.ScoreAll"/>:
/// <code>
/// h₀          = act(Gemm(user_ratings, input.weight, input.bias))          user_ratings [batch, movies], 0 = unrated
/// h_{k+1}     = act(Gemm(h_k, hidden.k.weight, hidden.k.bias))
/// ū           = (ReduceSum(user_ratings) + k·prior) / (ReduceSum(Clip(user_ratings, 0, 1)) + k)   [batch, 1], row_mean = [k, prior]
/// scores      = Gemm(h_L, output.weight, output.bias, transB) + ū          identity output: predicted stars
/// pair_scores = scores[pair_row, pair_movie]
/// </code>
/// The dense product with zeros for unrated movies equals the model's sparse sum over rated movies, and Clip counts
/// the rated ones (every rating is at least one star). Models saved without row_mean skip ū.
/// </summary>
public static class UserAutoencoderExporter
{
    public static ExportedGraph Export(UserAutoencoderModel model)
    {
        var graph = new OnnxGraphBuilder(model.Name);
        (string ratings, string pairRow, string pairMovie) = ServingGraph.RatingVectorInputs(graph, model.Movies);

        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        string h = AutoencoderGraph.Activate(graph, model.Activation, AutoencoderGraph.Dense(graph, tensors, ratings, "input"));
        for (int k = 0; tensors.Any(t => t.Name == $"hidden.{k}.weight"); k++)
        {
            h = AutoencoderGraph.Activate(graph, model.Activation, AutoencoderGraph.Dense(graph, tensors, h, $"hidden.{k}"));
        }

        if (model.RowMean is { } rowMean)
        {
            graph.Add(AutoencoderGraph.Reconstruct(graph, tensors, h), UserLevel(graph, ratings, rowMean), OnnxContract.Scores);
        }
        else
        {
            AutoencoderGraph.Reconstruct(graph, tensors, h, OnnxContract.Scores);
        }

        graph.GatherPairs(OnnxContract.Scores, pairRow, pairMovie, OnnxContract.PairScores);
        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.RatingVectorInput, OnnxContract.RatingScores);
    }

    private static string UserLevel(OnnxGraphBuilder graph, string ratings, RowMean rowMean)
    {
        // Positive axis: ORT 1.31 leaves an empty batch unreduced for a negative one.
        string axis = graph.Int64s("axes_1", 1);
        var keep = OnnxGraphBuilder.IntAttribute("keepdims", 1);
        string sum = graph.Node("ReduceSum", [ratings, axis], null, keep);
        string rated = graph.Node("Clip", [ratings, graph.Initializer("zero", [], [0f]), graph.Initializer("one", [], [1f])]);
        string count = graph.Node("ReduceSum", [rated, axis], null, keep);
        string numerator = graph.Add(sum, graph.Initializer("row_mean.prior_mass", [], [rowMean.Shrinkage * rowMean.Prior]));
        string denominator = graph.Add(count, graph.Initializer("row_mean.shrinkage", [], [rowMean.Shrinkage]));
        return graph.Node("Div", [numerator, denominator]);
    }
}

/// <summary>The layer vocabulary the autoencoder exporters share, over a model's saved tensors (initializers keep their names).</summary>
public static class AutoencoderGraph
{
    /// <summary>The saved tensor of this name (<see cref="IRatingModel.Tensors"/>); a missing one is an error naming it.</summary>
    public static NamedTensor Tensor(IReadOnlyList<NamedTensor> tensors, string name) =>
        tensors.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no tensor '{name}' to export among {string.Join(", ", tensors.Select(t => t.Name))}", nameof(name));

    /// <summary>x @ PREFIX.weight + PREFIX.bias, with the weight stored [inputs, outputs] (<see cref="DenseLayer"/>).</summary>
    public static string Dense(OnnxGraphBuilder graph, IReadOnlyList<NamedTensor> tensors, string x, string prefix) =>
        graph.Node("Gemm", [x, graph.Initializer(Tensor(tensors, prefix + ".weight")), graph.Initializer(Tensor(tensors, prefix + ".bias"))]);

    /// <summary>h @ output.weightᵀ + output.bias, with the weight stored [movies, width] (<see cref="OutputLayer"/>).</summary>
    public static string Reconstruct(OnnxGraphBuilder graph, IReadOnlyList<NamedTensor> tensors, string h, string? output = null) =>
        graph.Node("Gemm", [h, graph.Initializer(Tensor(tensors, "output.weight")), graph.Initializer(Tensor(tensors, "output.bias"))], output,
            OnnxGraphBuilder.IntAttribute("transB", 1));

    /// <summary>The ONNX operator of the same name; SELU's constants spelled out as <see cref="Activations"/> uses them.</summary>
    public static string Activate(OnnxGraphBuilder graph, Activation activation, string x) => activation switch
    {
        Activation.Sigmoid => graph.Node("Sigmoid", [x]),
        Activation.Tanh => graph.Node("Tanh", [x]),
        Activation.Selu => graph.Node("Selu", [x], null,
            OnnxGraphBuilder.FloatAttribute("alpha", Activations.SeluAlpha), OnnxGraphBuilder.FloatAttribute("gamma", Activations.SeluScale)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "no ONNX operator for this activation"),
    };
}
