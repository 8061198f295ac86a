using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>
/// Every matrix factorization kind (bias, biased-mf, biased-mf-torch, biased-mf-als, svdpp, nmf) as one graph over the
/// saved tensors, exactly <see cref="FactorModel.Predict(int, int)"/>:
/// <code>
/// scores      = Gemm(P[user_index], Q, movie_bias, transB) + (μ + b[user_index])[:, None]
/// pair_scores = μ + b[u] + b_i[pair_movie] + Σ_f P[u, f]·Q[pair_movie, f]   with u = user_index[pair_row]
/// </code>
/// The bias baseline (zero factors) leaves out the factor terms rather than multiply empty matrices. With a reduced
/// <see cref="WeightLayout"/> the factors are stored in fp16 (Q cast to float in the graph) or int8 (P and Q per-row
/// quantized: <c>Cast(MatMulInteger(P8[user_index] + 128, Q8ᵀ, 128))·s_Q·s_P[user_index]</c>); the biases stay float.
/// </summary>
public static class FactorModelExporter
{
    public const string UserFactors = "user_factors";
    public const string MovieFactors = "movie_factors";

    /// <summary>Suffix of the per-row scale of an int8 factor matrix (<c>movie_factors_scale</c>).</summary>
    public const string ScaleSuffix = "_scale";

    public static ExportedGraph Export(FactorModel model) => Export(model, WeightLayout.Fp32);

    public static ExportedGraph Export(FactorModel model, WeightLayout weights)
    {
        if (weights != WeightLayout.Fp32 && model.Factors == 0)
        {
            throw new ArgumentException($"--weights {weights.Name()}: model '{model.Name}' has no factor matrices to store in a reduced layout; export it as fp32");
        }

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
            (string movieRow, string dot) = weights == WeightLayout.Int8
                ? Int8Factors(graph, model, user, pairUser, pairMovie, movieBias)
                : FloatFactors(graph, model, weights, user, pairUser, pairMovie, movieBias);
            graph.Add(userPart, movieRow, OnnxContract.Scores);
            graph.Add(pairBase, dot, OnnxContract.PairScores);
        }

        ServingGraph.Outputs(graph, model.Movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores);
    }

    // b_i + p_u·Q for every movie, and p_u·q_m for the pairs, with Q in fp32 or fp16 (cast to float once, in the graph).
    private static (string MovieRow, string PairDot) FloatFactors(OnnxGraphBuilder graph, FactorModel model, WeightLayout weights,
        string user, string pairUser, string pairMovie, string movieBias)
    {
        string userFactors = graph.Initializer(NamedTensor.Matrix(UserFactors, model.Users, model.Factors, model.UserFactors));
        string movieFactors = weights == WeightLayout.Fp16
            ? graph.Cast(graph.HalfInitializer(MovieFactors, [model.Movies, model.Factors], WeightLayouts.ToHalfBytes(model.MovieFactors.Span)), TensorProto.Types.DataType.Float)
            : graph.Initializer(NamedTensor.Matrix(MovieFactors, model.Movies, model.Factors, model.MovieFactors));
        string movieRow = graph.Node("Gemm", [graph.Gather(userFactors, user), movieFactors, movieBias], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
        string dot = graph.RowDot(graph.Gather(userFactors, pairUser), graph.Gather(movieFactors, pairMovie));
        return (movieRow, dot);
    }

    // The same with P and Q in int8, one scale per row: the integer product is exact (int32), then rescaled per movie
    // and per user. Pairs dequantize their two rows and take the float dot product.
    private static (string MovieRow, string PairDot) Int8Factors(OnnxGraphBuilder graph, FactorModel model,
        string user, string pairUser, string pairMovie, string movieBias)
    {
        // The user side is stored as uint8 q + 128 with zero point 128: ONNX Runtime's x64 integer GEMM (MLAS) has
        // VNNI kernels for uint8 × int8 only; int8 × int8 runs its portable C loop (10× slower here, measured).
        (sbyte[] userValues, float[] userScales) = WeightLayouts.QuantizeRows(model.UserFactors.Span, model.Users, model.Factors);
        string userFactors = graph.UInt8Initializer(UserFactors, [model.Users, model.Factors], WeightLayouts.Offset(userValues));
        string userScale = graph.Initializer(UserFactors + ScaleSuffix, [model.Users], userScales);
        string userZero = graph.UInt8Initializer("user_factors_zero_point", [], [WeightLayouts.UInt8ZeroPoint]);
        (sbyte[] movieValues, float[] movieScales) = WeightLayouts.QuantizeRows(model.MovieFactors.Span, model.Movies, model.Factors, WeightLayouts.MovieLevels);
        string movieFactors = graph.Int8Initializer(MovieFactors, [model.Movies, model.Factors], movieValues);
        string movieScale = graph.Initializer(MovieFactors + ScaleSuffix, [model.Movies], movieScales);

        // Qᵀ of an initializer: ONNX Runtime folds the Transpose once, at session start.
        string movieFactorsT = graph.Node("Transpose", [movieFactors], attributes: OnnxGraphBuilder.IntsAttribute("perm", 1, 0));
        string product = graph.Node("MatMulInteger", [graph.Gather(userFactors, user), movieFactorsT, userZero]);
        string scaled = graph.Mul(graph.Mul(graph.Cast(product, TensorProto.Types.DataType.Float), movieScale), graph.Column(graph.Gather(userScale, user)));
        string movieRow = graph.Add(scaled, movieBias);

        string pairP = graph.Mul(
            graph.Sub(graph.Cast(graph.Gather(userFactors, pairUser), TensorProto.Types.DataType.Float), graph.Cast(userZero, TensorProto.Types.DataType.Float)),
            graph.Column(graph.Gather(userScale, pairUser)));
        string pairQ = graph.Mul(graph.Cast(graph.Gather(movieFactors, pairMovie), TensorProto.Types.DataType.Float), graph.Column(graph.Gather(movieScale, pairMovie)));
        return (movieRow, graph.RowDot(pairP, pairQ));
    }
}
