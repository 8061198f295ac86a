using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Autoencoders;

namespace NetflixRec.Training.Export;

/// <summary>
/// <c>autorec-i</c> as a dot product over its precomputed item codes, exactly <see cref="ItemAutoRecModel.Predict"/>:
/// the encoder has already been run over every movie's training column at training time (item_codes = h_i), so the
/// graph holds only the decoder, with users as rows:
/// <code>
/// scores      = Gemm(W[user_index], item_codes, transB, C = item_bias) + b[user_index][:, None]   W = output.weight [users, hidden]
/// pair_scores = Σ_k W[u, k]·item_codes[pair_movie, k] + b[u] + item_bias[pair_movie]         with u = user_index[pair_row]
/// </code>
/// </summary>
public static class AutoRecItemExporter
{
    public static ExportedGraph Export(ItemAutoRecModel model)
    {
        var graph = new OnnxGraphBuilder(ItemAutoRecModel.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        string codes = graph.Initializer(AutoencoderGraph.Tensor(tensors, "item_codes"));
        string weight = graph.Initializer(AutoencoderGraph.Tensor(tensors, "output.weight"));
        string bias = graph.Initializer(AutoencoderGraph.Tensor(tensors, "output.bias"));
        string itemBias = graph.Initializer(AutoencoderGraph.Tensor(tensors, "item_bias"));

        // The movie bias is Gemm's C row; the decoder bias is per user (a column): added after the product.
        string products = graph.Node("Gemm", [graph.Gather(weight, user), codes, itemBias], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
        graph.Add(products, graph.Column(graph.Gather(bias, user)), OnnxContract.Scores);

        // Pairs gather their own rows: a top-k request (zero pairs) pays nothing here.
        string pairUser = graph.Gather(user, pairRow);
        string dot = graph.RowDot(graph.Gather(weight, pairUser), graph.Gather(codes, pairMovie));
        string userBiased = graph.Add(dot, graph.Gather(bias, pairUser));
        graph.Add(userBiased, graph.Gather(itemBias, pairMovie), OnnxContract.PairScores);

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores);
    }
}
