using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Export;

/// <summary>
/// LightGCN over its precomputed final embeddings E_u, E_m, exactly <see cref="LightGcnModel.ScoreAll"/> and
/// <see cref="LightGcnModel.Predict"/>:
/// <code>
/// scores      = Gemm(E_u[user_index], E_m, transB)                 (the ranking score e_u·e_m, no stars)
/// pair_scores = a + b·Σ_f E_u[u, f]·E_m[pair_movie, f]   with u = user_index[pair_row], (a, b) the star calibration
/// </code>
/// The scores are a ranking (<see cref="OnnxContract.RankingScores"/>); only pair_scores are stars.
/// </summary>
public static class LightGcnExporter
{
    public static ExportedGraph Export(LightGcnModel model)
    {
        var graph = new OnnxGraphBuilder(model.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        string userEmbeddings = graph.Initializer(SafeTensors.Require(tensors, LightGcnModel.UserEmbeddings, model.Name));
        string movieEmbeddings = graph.Initializer(SafeTensors.Require(tensors, LightGcnModel.MovieEmbeddings, model.Name));
        string intercept = graph.Initializer(NamedTensor.Vector("calibration_intercept", new[] { model.Intercept }));
        string slope = graph.Initializer(NamedTensor.Vector("calibration_slope", new[] { model.Slope }));

        graph.Node("Gemm", [graph.Gather(userEmbeddings, user), movieEmbeddings], OnnxContract.Scores, OnnxGraphBuilder.IntAttribute("transB", 1));

        string pairUser = graph.Gather(user, pairRow);
        string dot = graph.RowDot(graph.Gather(userEmbeddings, pairUser), graph.Gather(movieEmbeddings, pairMovie));
        graph.Add(intercept, graph.Mul(slope, dot), OnnxContract.PairScores);

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RankingScores);
    }
}
