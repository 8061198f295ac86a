using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Export;

/// <summary>
/// Every matrix factorization kind (bias, biased-mf, biased-mf-torch, biased-mf-als, svdpp, nmf) as one graph over the
/// saved tensors, exactly <see cref="FactorModel.Predict(int, int)"/>:
/// <code>
/// scores      = Gemm(P[user_index], Q, movie_bias, transB) + (μ + b[user_index])[:, None]
/// pair_scores = μ + b[u] + b_i[pair_movie] + Σ_f P[u, f]·Q[pair_movie, f]   with u = user_index[pair_row]
/// </code>
/// The bias baseline (zero factors) leaves out the factor terms rather than multiply empty matrices.
/// </summary>
public static class FactorModelExporter
{
    public static ExportedGraph Export(FactorModel model)
    {
        var graph = new OnnxGraphBuilder(model.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        string globalMean = graph.Initializer(NamedTensor.Vector("global_mean", new[] { model.GlobalMean }));
        string userBias = graph.Initializer(NamedTensor.Vector("user_bias", model.UserBias));
        string movieBias = graph.Initializer(NamedTensor.Vector("movie_bias", model.MovieBias));

        // scores: the user part (μ + b_u) as a column, broadcast over the movie row (b_i [+ p_u·Q]).
        string userPart = graph.Column(graph.Add(globalMean, graph.Gather(userBias, user)));
        string pairUser = graph.Gather(user, pairRow);
        string pairBase = graph.Add(graph.Add(globalMean, graph.Gather(userBias, pairUser)), graph.Gather(movieBias, pairMovie));
        if (model.Factors == 0)
        {
            graph.Add(userPart, movieBias, OnnxContract.Scores);
            graph.Node("Identity", [pairBase], OnnxContract.PairScores);
        }
        else
        {
            string userFactors = graph.Initializer(NamedTensor.Matrix("user_factors", model.Users, model.Factors, model.UserFactors));
            string movieFactors = graph.Initializer(NamedTensor.Matrix("movie_factors", model.Movies, model.Factors, model.MovieFactors));
            string movieRow = graph.Node("Gemm", [graph.Gather(userFactors, user), movieFactors, movieBias], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
            graph.Add(userPart, movieRow, OnnxContract.Scores);
            string dot = graph.RowDot(graph.Gather(userFactors, pairUser), graph.Gather(movieFactors, pairMovie));
            graph.Add(pairBase, dot, OnnxContract.PairScores);
        }

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores);
    }
}
