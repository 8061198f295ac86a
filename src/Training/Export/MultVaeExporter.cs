using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Autoencoders;

namespace NetflixRec.Training.Export;

/// <summary>
/// <c>mult-vae</c> (a ranking model) as its inference pass over the user's rating vector, exactly
/// <see cref="MultVaeModel.ScoreAll"/> and <see cref="MultVaeModel.Predict"/>:
/// <code>
/// x           = Clip(user_ratings − (t − 1), 0, 1)                 t = input.threshold; 1 for a positive, 0 unrated
/// x           = x / sqrt(max(Σ_m x², tiny))                        L2 rows; an all-zero row stays zero
/// h           = tanh(Gemm(x, input.weight, input.bias))
/// z           = Gemm(h, encoder.mu.weight, encoder.mu.bias)        the posterior mean, no sampling
/// d           = tanh(Gemm(z, decoder.hidden.weight, decoder.hidden.bias))
/// scores      = LogSoftmax(Gemm(d, output.weight, output.bias, transB), axis 1)      score kind "ranking"
/// pair_scores = calibration[0] + calibration[1] · scores[pair_row, pair_movie]       calibrated stars
/// </code>
/// </summary>
public static class MultVaeExporter
{
    // Guards 0/0 for a user without ratings; any user with a positive has Σx² ≥ (fraction of a star)², far above it.
    private const float TinyNorm = 1e-30f;

    public static ExportedGraph Export(MultVaeModel model)
    {
        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        float threshold = AutoencoderGraph.Tensor(tensors, "input.threshold").Data.Span[0];
        // The model binarizes only rated movies; the dense input reads 0 for unrated, which stays 0 only for t ≥ 1.
        if (!(threshold >= 1f))
        {
            throw new ArgumentException($"{MultVaeModel.Name}: input.threshold {threshold} below 1 star would count unrated movies as positives in a dense rating vector", nameof(model));
        }

        var graph = new OnnxGraphBuilder(MultVaeModel.Name);
        (string ratings, string pairRow, string pairMovie) = ServingGraph.RatingVectorInputs(graph, model.Movies);

        string shift = graph.Initializer("input.shift", [], [threshold - 1f]);
        string zero = graph.Initializer("zero", [], [0f]);
        string one = graph.Initializer("one", [], [1f]);
        string positives = graph.Node("Clip", [graph.Node("Sub", [ratings, shift]), zero, one]);
        // Positive axis: ORT 1.31 leaves an empty batch unreduced for a negative one.
        string squares = graph.Node("ReduceSum", [graph.Mul(positives, positives), graph.Int64s("axes_1", 1)], null, OnnxGraphBuilder.IntAttribute("keepdims", 1));
        string norm = graph.Node("Sqrt", [graph.Node("Max", [squares, graph.Initializer("tiny_norm", [], [TinyNorm])])]);
        string x = graph.Node("Div", [positives, norm]);

        string h = AutoencoderGraph.Activate(graph, Activation.Tanh, AutoencoderGraph.Dense(graph, tensors, x, "input"));
        string z = AutoencoderGraph.Dense(graph, tensors, h, "encoder.mu");
        string d = AutoencoderGraph.Activate(graph, Activation.Tanh, AutoencoderGraph.Dense(graph, tensors, z, "decoder.hidden"));
        string logits = AutoencoderGraph.Reconstruct(graph, tensors, d);
        graph.Node("LogSoftmax", [logits], OnnxContract.Scores, OnnxGraphBuilder.IntAttribute("axis", 1));

        string intercept = graph.Initializer("calibration.intercept", [], [model.Calibration.Intercept]);
        string slope = graph.Initializer("calibration.slope", [], [model.Calibration.Slope]);
        string picked = graph.GatherPairs(OnnxContract.Scores, pairRow, pairMovie);
        graph.Add(intercept, graph.Mul(slope, picked), OnnxContract.PairScores);

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.RatingVectorInput, OnnxContract.RankingScores);
    }
}
