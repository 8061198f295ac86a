using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>
/// <c>time-bias</c> and <c>timesvdpp</c> as one graph with the extra <see cref="OnnxContract.Day"/> input, exactly
/// <see cref="TimeAwareModel.Predict(int, int, short)"/> for each batch row's day:
/// <code>
/// dev         = sign(day − t_u)·|day − t_u|^β;   bin = clamp(floor((day − first) / bin_days), 0, bins − 1)
/// user_part   = μ + b_u + α_u·dev + b_{u,day}          (b_{u,day} from a hash table, 0 when absent)
/// c           = c_u + c_{u,day}                        (only with the scaling; c_{u,day} from the same table's slots)
/// P[u]       += p_{u,day}                              (only with day factors: rows of the same table's slots)
/// scores      = Gemm(P[u] + A[u]·dev, Q, transB) + c[:, None]·(b_i + B_bin[bin]) + user_part[:, None]
/// pair_scores = user_part[r] + c[r]·(b_i[m] + B_bin[bin[r], m]) + (P[u] + A[u]·dev)[r]·Q[m]
/// </code>
/// (without the scaling c is left out, and b_i rides in the Gemm's bias input as before).
/// The per-user-day biases are an open-addressing table keyed by user·65536 + day (linear probing, slots = a prime ≥ 2n):
/// the graph gathers the <see cref="UserDayTable.Probes"/> slots after hash(key) and keeps the value whose key matches,
/// so a lookup costs a fixed handful of gathers per row with no loop.
/// </summary>
public static class TimeAwareExporter
{
    public static ExportedGraph Export(TimeAwareModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new OnnxGraphBuilder(model.Name);
        (string user, string pairRow, string pairMovie) = ServingGraph.IndexInputs(graph);
        string day = ResolvedDay(graph, model, user, ServingGraph.DayInput(graph));
        int movies = model.Movies;
        TimeAxis axis = model.Axis;

        string dayValue = graph.Node("Cast", [day], attributes: OnnxGraphBuilder.IntAttribute("to", (long)TensorProto.Types.DataType.Float));
        string delta = graph.Node("Sub", [dayValue, graph.Gather(graph.Initializer(NamedTensor.Vector("user_mean_day", model.UserMeanDay)), user)]);
        string power = graph.Node("Pow", [graph.Node("Abs", [delta]), Scalar(graph, "beta", axis.Beta)]);
        string deviation = graph.Mul(graph.Node("Sign", [delta]), power);
        string binFloat = graph.Node("Floor", [graph.Node("Div", [graph.Node("Sub", [dayValue, Scalar(graph, "first_day", axis.FirstDay)]), Scalar(graph, "bin_days", axis.BinDays)])]);
        string binClamped = graph.Node("Min", [graph.Node("Max", [binFloat, Scalar(graph, "first_bin", 0)]), Scalar(graph, "last_bin", axis.Bins - 1)]);
        string bin = graph.Node("Cast", [binClamped], attributes: OnnxGraphBuilder.IntAttribute("to", (long)TensorProto.Types.DataType.Int64));

        UserDayTable table = UserDayTable.Build(model.UserDays, model.UserDayBias.Span);
        (string hit, string slots) = DaySlots(graph, table, user, day);
        string userPart = graph.Add(
            graph.Add(Scalar(graph, "global_mean", model.GlobalMean), graph.Gather(graph.Initializer(NamedTensor.Vector("user_bias", model.UserBias)), user)),
            graph.Add(graph.Mul(graph.Gather(graph.Initializer(NamedTensor.Vector("user_alpha", model.UserAlpha)), user), deviation),
                graph.RowDot(hit, graph.Gather(graph.Initializer("user_day_values", [table.Values.Length], table.Values), slots))));
        string movieBias = graph.Initializer(NamedTensor.Vector("movie_bias", model.MovieBias));
        string binBias = graph.Initializer(NamedTensor.Matrix("movie_bin_bias", axis.Bins, movies, model.MovieBinBias));
        string binRow = graph.Gather(binBias, bin);

        string pairUserPart = graph.Gather(userPart, pairRow);
        string flatBin = graph.Add(graph.Mul(graph.Gather(bin, pairRow), graph.Int64s("movies", movies)), pairMovie);
        string pairBin = graph.Gather(graph.Node("Reshape", [binBias, graph.Int64s("flat", -1)]), flatBin);
        string pairMovieTerm = graph.Add(graph.Gather(movieBias, pairMovie), pairBin);
        string movieTerms = graph.Add(movieBias, binRow);
        if (model.HasScaling)
        {
            // c_u(t) per batch row: c_u + c_{u,day}, the day part read from the b_{u,day} table's slots (0 on an unseen day).
            float[] dayScales = table.Place(model.UserDays, model.UserDayScale.Span);
            string scale = graph.Add(graph.Gather(graph.Initializer(NamedTensor.Vector("user_scale", model.UserScale)), user),
                graph.RowDot(hit, graph.Gather(graph.Initializer("user_day_scale_values", [dayScales.Length], dayScales), slots)));
            pairMovieTerm = graph.Mul(graph.Gather(scale, pairRow), pairMovieTerm);
            movieTerms = graph.Mul(graph.Column(scale), movieTerms);
        }

        string pairBase = graph.Add(pairUserPart, pairMovieTerm);
        if (model.Factors == 0)
        {
            graph.Add(graph.Column(userPart), movieTerms, OnnxContract.Scores);
            graph.Node("Identity", [pairBase], OnnxContract.PairScores);
        }
        else
        {
            int k = model.Factors;
            string userFactors = graph.Initializer(NamedTensor.Matrix("user_factors", model.Users, k, model.UserFactors));
            string userAlpha = graph.Initializer(NamedTensor.Matrix("user_factor_alpha", model.Users, k, model.UserFactorAlpha));
            string movieFactors = graph.Initializer(NamedTensor.Matrix("movie_factors", movies, k, model.MovieFactors));
            // p_u(t) = p_u + α^p_u·dev, one row per batch row.
            string factorsOnDay = graph.Add(graph.Gather(userFactors, user), graph.Mul(graph.Gather(userAlpha, user), graph.Column(deviation)));
            if (model.HasDayFactors)
            {
                // + p_{u,day}: the table's rows at the probed slots, weighted by the hit mask ([batch, 1, probes] × [batch, probes, k]).
                float[] rows = table.Place(model.UserDays, model.UserDayFactors.Span, k);
                string gathered = graph.Gather(graph.Initializer("user_day_factor_values", [table.Keys.Length, k], rows), slots);
                string mask = graph.Node("Reshape", [hit, graph.Int64s("hit_shape", -1, 1, table.Probes)]);
                string dayFactors = graph.Node("Reshape", [graph.Node("MatMul", [mask, gathered]), graph.Int64s("day_factor_shape", -1, k)]);
                factorsOnDay = graph.Add(factorsOnDay, dayFactors);
            }

            if (model.HasScaling)
            {
                string product = graph.Node("Gemm", [factorsOnDay, movieFactors], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
                graph.Add(graph.Add(graph.Column(userPart), product), movieTerms, OnnxContract.Scores);
            }
            else
            {
                // As before the scaling existed: b_i in the Gemm's bias input, so unscaled graphs are unchanged.
                string movieRow = graph.Node("Gemm", [factorsOnDay, movieFactors, movieBias], attributes: OnnxGraphBuilder.IntAttribute("transB", 1));
                graph.Add(graph.Add(graph.Column(userPart), movieRow), binRow, OnnxContract.Scores);
            }

            string dot = graph.RowDot(graph.Gather(factorsOnDay, pairRow), graph.Gather(movieFactors, pairMovie));
            graph.Add(pairBase, dot, OnnxContract.PairScores);
        }

        ServingGraph.Outputs(graph, movies);
        return new ExportedGraph(graph.Build(), OnnxContract.IndexInput, OnnxContract.RatingScores, TakesDay: true);
    }

    // The user-day table's slots for each batch row: the probes after hash(user·65536 + day), and a 0/1 mask of the one
    // whose key matches (all zero on an unseen day). Reading any per-user-day value is then RowDot(hit, values[slots]).
    private static (string Hit, string Slots) DaySlots(OnnxGraphBuilder graph, UserDayTable table, string user, string day)
    {
        // Days outside the short range are clamped to −1 or 32767 first, so a key never reaches into the next user's range.
        string clampedDay = graph.Node("Min", [graph.Node("Max", [day, graph.Int64s("day_low", -1)]), graph.Int64s("day_high", short.MaxValue)]);
        string key = graph.Add(graph.Mul(user, graph.Int64s("key_stride", UserDayTable.KeyStride)), clampedDay);
        string size = graph.Int64s("table_size", table.Keys.Length);
        string home = graph.Node("Mod", [key, size]);
        string probes = graph.Constant("probe_offsets", [table.Probes], [.. Enumerable.Range(0, table.Probes).Select(p => (long)p)]);
        string slots = graph.Node("Mod", [graph.Add(graph.Column(home), probes), size]);
        string keys = graph.Constant("user_day_keys", [table.Keys.Length], table.Keys);
        string hit = graph.Node("Cast", [graph.Node("Equal", [graph.Gather(keys, slots), graph.Column(key)])],
            attributes: OnnxGraphBuilder.IntAttribute("to", (long)TensorProto.Types.DataType.Float));
        return (hit, slots);
    }

    private static string Scalar(OnnxGraphBuilder graph, string name, float value) => graph.Initializer(name, [1], [value]);

    /// <summary>
    /// A negative day stands for "no date given": the customer's default day (their latest training day), what the model
    /// predicts in process without a day, so a server that has no date for a request scores exactly like evaluation does.
    /// </summary>
    private static string ResolvedDay(OnnxGraphBuilder graph, TimeAwareModel model, string user, string day)
    {
        long[] defaults = new long[model.Users];
        for (int u = 0; u < defaults.Length; u++)
        {
            defaults[u] = model.DefaultDay(u);
        }

        string userDefault = graph.Gather(graph.Constant("user_default_day", [defaults.Length], defaults), user);
        return graph.Node("Where", [graph.Node("Less", [day, graph.Int64s("no_day", 0)]), userDefault, day]);
    }
}
