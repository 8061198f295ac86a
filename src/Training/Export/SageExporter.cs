using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Export;

/// <summary>
/// GraphSAGE over its precomputed final representations H_u, H_m, exactly <see cref="SageModel.ScoreAll"/> and
/// <see cref="SageModel.Predict"/> (stars = offset + scale·σ(logit)):
/// <code>
/// logits      = Gemm(H_u[user_index], H_m, movie_bias, transB) + (c + user_bias[user_index])[:, None]
/// scores      = offset + scale·Sigmoid(logits)
/// pair_scores = offset + scale·Sigmoid(c + b_u + b_m + Σ_f H_u[u, f]·H_m[pair_movie, f])   with u = user_index[pair_row]
/// </code>
/// </summary>
public static class SageExporter
{
    public static ExportedGraph Export(SageModel model)
    {
        var graph = new OnnxGraphBuilder(model.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        string userEmbeddings = graph.Initializer(SafeTensors.Require(tensors, SageModel.UserEmbeddings, model.Name));
        string movieEmbeddings = graph.Initializer(SafeTensors.Require(tensors, SageModel.MovieEmbeddings, model.Name));
        string userBias = graph.Initializer(SafeTensors.Require(tensors, SageModel.UserBias, model.Name));
        string movieBias = graph.Initializer(SafeTensors.Require(tensors, SageModel.MovieBias, model.Name));
        string globalBias = graph.Initializer(SafeTensors.Require(tensors, SageModel.GlobalBias, model.Name));
        string offset = graph.Initializer(NamedTensor.Vector("rating_offset", new[] { SageModel.Offset }));
        string scale = graph.Initializer(NamedTensor.Vector("rating_scale", new[] { SageModel.Scale }));

        string userPart = graph.Column(graph.Add(globalBias, graph.Gather(userBias, user)));
        string movieRow = graph.Node("Gemm", [graph.Gather(userEmbeddings, user), movieEmbeddings, movieBias], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
        Stars(graph, graph.Add(userPart, movieRow), offset, scale, OnnxContract.Scores);

        string pairUser = graph.Gather(user, pairRow);
        string pairBase = graph.Add(graph.Add(globalBias, graph.Gather(userBias, pairUser)), graph.Gather(movieBias, pairMovie));
        string dot = graph.RowDot(graph.Gather(userEmbeddings, pairUser), graph.Gather(movieEmbeddings, pairMovie));
        Stars(graph, graph.Add(pairBase, dot), offset, scale, OnnxContract.PairScores);

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores);
    }

    private static string Stars(OnnxGraphBuilder graph, string logits, string offset, string scale, string output) =>
        graph.Add(graph.Mul(graph.Node("Sigmoid", [logits]), scale), offset, output);
}
