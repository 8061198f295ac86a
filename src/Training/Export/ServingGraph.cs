using NetflixRec.Contracts;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>What an exporter hands back: the graph, how a user goes in, and what the scores mean (see <see cref="OnnxContract"/>).</summary>
/// <param name="TakesDay">The graph has the <see cref="OnnxContract.Day"/> input (time-aware models).</param>
public sealed record ExportedGraph(GraphProto Graph, string UserInput, string ScoreKind, bool TakesDay = false);

/// <summary>
/// The serving signature every exporter declares through these helpers, so no model kind can drift from
/// <see cref="OnnxContract"/>: the user input of the chosen kind, the pair inputs, and the two outputs.
/// </summary>
public static class ServingGraph
{
    private static readonly OnnxDim s_batch = OnnxDim.Dynamic(OnnxContract.BatchDim);
    private static readonly OnnxDim s_pairs = OnnxDim.Dynamic(OnnxContract.PairsDim);

    /// <summary>user_index int64 [batch], pair_row and pair_movie int64 [pairs]; returns the three input names.</summary>
    public static (string User, string PairRow, string PairMovie) IndexInputs(OnnxGraphBuilder graph)
    {
        graph.Input(OnnxContract.UserIndex, TensorProto.Types.DataType.Int64, s_batch);
        (string row, string movie) = PairInputs(graph);
        return (OnnxContract.UserIndex, row, movie);
    }

    /// <summary>user_ratings float [batch, movies] (stars, 0 = unrated), pair_row and pair_movie int64 [pairs].</summary>
    public static (string User, string PairRow, string PairMovie) RatingVectorInputs(OnnxGraphBuilder graph, int movies)
    {
        graph.Input(OnnxContract.UserRatings, TensorProto.Types.DataType.Float, s_batch, OnnxDim.Fixed(movies));
        (string row, string movie) = PairInputs(graph);
        return (OnnxContract.UserRatings, row, movie);
    }

    /// <summary>day int64 [batch]: the day each batch row is scored for (time-aware graphs, declared after the pair inputs).</summary>
    public static string DayInput(OnnxGraphBuilder graph)
    {
        graph.Input(OnnxContract.Day, TensorProto.Types.DataType.Int64, s_batch);
        return OnnxContract.Day;
    }

    /// <summary>Declares scores float [batch, movies] and pair_scores float [pairs]; both must have been computed under those names.</summary>
    public static void Outputs(OnnxGraphBuilder graph, int movies)
    {
        graph.Output(OnnxContract.Scores, TensorProto.Types.DataType.Float, s_batch, OnnxDim.Fixed(movies));
        graph.Output(OnnxContract.PairScores, TensorProto.Types.DataType.Float, s_pairs);
    }

    /// <summary>The inputs and outputs of the contract for one user input kind, as the manifest records them.</summary>
    public static (IReadOnlyList<OnnxTensorInfo> Inputs, IReadOnlyList<OnnxTensorInfo> Outputs) Signature(string userInput, int movies, bool takesDay = false)
    {
        OnnxTensorInfo user = userInput switch
        {
            OnnxContract.IndexInput => new(OnnxContract.UserIndex, "int64", [-1]),
            OnnxContract.RatingVectorInput => new(OnnxContract.UserRatings, "float", [-1, movies]),
            _ => throw new ArgumentException($"unknown user input kind '{userInput}'", nameof(userInput)),
        };
        List<OnnxTensorInfo> inputs = [user, new(OnnxContract.PairRow, "int64", [-1]), new(OnnxContract.PairMovie, "int64", [-1])];
        if (takesDay)
        {
            inputs.Add(new(OnnxContract.Day, "int64", [-1]));
        }

        return (inputs,
            [new(OnnxContract.Scores, "float", [-1, movies]), new(OnnxContract.PairScores, "float", [-1])]);
    }

    /// <summary>Whether the recorded signature has the <see cref="OnnxContract.Day"/> input.</summary>
    public static bool TakesDay(this OnnxSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Inputs.Any(i => i.Name == OnnxContract.Day);
    }

    private static (string PairRow, string PairMovie) PairInputs(OnnxGraphBuilder graph)
    {
        graph.Input(OnnxContract.PairRow, TensorProto.Types.DataType.Int64, s_pairs);
        graph.Input(OnnxContract.PairMovie, TensorProto.Types.DataType.Int64, s_pairs);
        return (OnnxContract.PairRow, OnnxContract.PairMovie);
    }
}
