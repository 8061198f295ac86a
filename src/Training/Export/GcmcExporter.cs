using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Export;

/// <summary>
/// GC-MC over its precomputed encoder outputs U [users, d], V [movies, d] with the bilinear basis decoder, exactly
/// <see cref="GcmcModel.ScoreAll"/> and <see cref="GcmcModel.Predict"/>: basis score s_b = u^T P_b v, level logit
/// l_k = Σ_b a_kb·s_b, r̂ = Σ_k k·e_k / Σ_k e_k with e_k = exp(l_k − max_k l_k) (the softmax expectation, in the
/// model's own max-shifted numerator/denominator form). The bases are stored side by side as P = [P_1 … P_B]
/// [d, B·d], so u^T P_b for every basis is one MatMul:
/// <code>
/// scores:      U[user_index]·P → [batch, B, d] → transpose → [B·batch, d] → Gemm(·, V, transB) → [B, batch·movies]
///              → Gemm(A, ·) → logits [R, batch·movies] → e = Exp(logits − ReduceMax axis 0)
///              → Gemm([levels; ones], e) → numerator / denominator → [batch, movies]
/// pair_scores: U[u]·P → [pairs, B, d] ⊙ V[pair_movie][:, None, :] → ReduceSum axis 2 → [pairs, B] → Gemm(·, A, transB)
///              → [pairs, R] → expectation over axis 1 → [pairs]          with u = user_index[pair_row]
/// </code>
/// Reshapes infer only the leading dimension (−1 beside fixed non-zero sizes), so a zero-length batch or pair list
/// flows through as empty tensors; every reduction names a positive axis (ONNX Runtime 1.31 leaves an empty input
/// unreduced under a negative one).
/// </summary>
public static class GcmcExporter
{
    public static ExportedGraph Export(GcmcModel model)
    {
        int d = model.Factors, bases = model.Bases, levels = model.Levels;
        var graph = new OnnxGraphBuilder(model.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        IReadOnlyList<NamedTensor> tensors = model.Tensors;
        string userEmbeddings = graph.Initializer(SafeTensors.Require(tensors, GcmcModel.UserEmbeddings, model.Name));
        string movieEmbeddings = graph.Initializer(SafeTensors.Require(tensors, GcmcModel.MovieEmbeddings, model.Name));
        string decoderBases = graph.Initializer("decoder_bases_side_by_side", [d, (long)bases * d],
            SideBySide(SafeTensors.Require(tensors, GcmcModel.DecoderBases, model.Name).Data.Span, bases, d));
        string coefficients = graph.Initializer(SafeTensors.Require(tensors, GcmcModel.DecoderCoefficients, model.Name));
        NamedTensor ratingLevels = SafeTensors.Require(tensors, GcmcModel.RatingLevels, model.Name);
        float[] weights = [.. ratingLevels.Data.ToArray(), .. Enumerable.Repeat(1f, levels)];
        string sumWeights = graph.Initializer("expectation_weights", [2, levels], weights);

        // scores, basis-major so that no MatMul broadcasts (ORT's MatMul refuses a 2-D × [0, …] broadcast): the small
        // [batch, B, d] projection is transposed to [B, batch, d]; the basis scores [B, batch·movies] then meet the
        // coefficients in one plain Gemm, A [R, B] · S → logits [R, batch, movies], reduced over axis 0.
        string projected = graph.Node("MatMul", [graph.Gather(userEmbeddings, user), decoderBases]);
        string byBasis = graph.Node("Transpose", [graph.Node("Reshape", [projected, graph.Int64s("shape_user_bases", -1, bases, d)])], null,
            Ints("perm", 1, 0, 2));
        string basisRows = graph.Node("Reshape", [byBasis, graph.Int64s("shape_rows", -1, d)]);
        string basisScores = graph.Node("Gemm", [basisRows, movieEmbeddings], null, OnnxGraphBuilder.IntAttribute("transB", 1));
        string flatScores = graph.Node("Reshape", [basisScores, graph.Int64s("shape_basis_scores", bases, -1)]);
        string flatLogits = graph.Node("Gemm", [coefficients, flatScores]);
        // The expectation's two sums in one Gemm, [levels; ones] [2, R] · e: e is read once instead of by a Mul and two
        // ReduceSums (each a pass over [R, batch·movies], memory-bound at serving batch sizes).
        string max = graph.Node("ReduceMax", [flatLogits], null, Ints("axes", 0), OnnxGraphBuilder.IntAttribute("keepdims", 1));
        string e = graph.Node("Exp", [graph.Node("Sub", [flatLogits, max])]);
        string sums = graph.Node("Gemm", [sumWeights, e]);
        string numerator = graph.Gather(sums, graph.Constant("numerator_row", [], [0L]));
        string denominator = graph.Gather(sums, graph.Constant("denominator_row", [], [1L]));
        graph.Node("Reshape", [graph.Node("Div", [numerator, denominator]), graph.Int64s("shape_scores", -1, model.Movies)], OnnxContract.Scores);

        // pair_scores: the same decoder on single (user, movie) pairs, logits [pairs, R].
        string pairUser = graph.Gather(user, pairRow);
        string pairProjected = graph.Node("MatMul", [graph.Gather(userEmbeddings, pairUser), decoderBases]);
        string pairBases = graph.Node("Reshape", [pairProjected, graph.Int64s("shape_pair_bases", -1, bases, d)]);
        string pairMovies = graph.Column(graph.Gather(movieEmbeddings, pairMovie));
        string pairBasisScores = graph.Node("ReduceSum", [graph.Mul(pairBases, pairMovies), graph.Int64s("axes_2", 2)], null,
            OnnxGraphBuilder.IntAttribute("keepdims", 0));
        string pairLogits = graph.Node("Gemm", [pairBasisScores, coefficients], null, OnnxGraphBuilder.IntAttribute("transB", 1));
        string pairLevels = graph.Initializer(ratingLevels.Name, [levels], ratingLevels.Data.Span);
        Expectation(graph, pairLogits, 1, pairLevels, OnnxContract.PairScores);

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores);
    }

    /// <summary>
    /// Σ_k level_k·e_k / Σ_k e_k over the level axis of the logits, e = exp(logits − max over that axis);
    /// <paramref name="levels"/> broadcasts along it ([R] for [pairs, R]).
    /// </summary>
    private static string Expectation(OnnxGraphBuilder graph, string logits, long axis, string levels, string output)
    {
        // ReduceMax takes its axes as an attribute up to opset 17 (an input only from 18); ReduceSum as an input.
        string max = graph.Node("ReduceMax", [logits], null, Ints("axes", axis), OnnxGraphBuilder.IntAttribute("keepdims", 1));
        string e = graph.Node("Exp", [graph.Node("Sub", [logits, max])]);
        string axes = graph.Int64s("axes_level", axis);
        string numerator = graph.Node("ReduceSum", [graph.Mul(e, levels), axes], null, OnnxGraphBuilder.IntAttribute("keepdims", 0));
        string denominator = graph.Node("ReduceSum", [e, axes], null, OnnxGraphBuilder.IntAttribute("keepdims", 0));
        return graph.Node("Div", [numerator, denominator], output);
    }

    private static Onnx.AttributeProto Ints(string name, params long[] values) =>
        new() { Name = name, Type = Onnx.AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    /// <summary>[B, d, d] (P_b row-major) → [d, B·d] with row f = [P_1[f, :] … P_B[f, :]], so U·P gives every u^T P_b at once.</summary>
    private static float[] SideBySide(ReadOnlySpan<float> bases, int count, int d)
    {
        var sideBySide = new float[bases.Length];
        for (int b = 0; b < count; b++)
        {
            for (int f = 0; f < d; f++)
            {
                bases.Slice((((b * d) + f) * d), d).CopyTo(sideBySide.AsSpan((f * count * d) + (b * d), d));
            }
        }

        return sideBySide;
    }
}
