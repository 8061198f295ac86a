using NetflixRec.Training.Models.Torch;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// The masked reconstruction loss of the rating autoencoders: only observed ratings enter it. Instead of a dense
/// reconstruction [rows, columns] and a 0/1 mask, the prediction is computed for the observed entries alone, so an
/// unobserved entry contributes neither loss nor gradient, and memory is O(entries × width).
/// </summary>
public static class MaskedLoss
{
    /// <summary>r̂_e = code[row_e] · output[column_e] + outputBias[column_e] for each observed entry e.</summary>
    public static Tensor GatherOutput(Tensor code, Tensor output, Tensor outputBias, Tensor entryRow, Tensor entryColumn) =>
        (code.index_select(0, entryRow) * output.index_select(0, entryColumn)).sum(1) + outputBias.index_select(0, entryColumn);

    /// <summary>
    /// The same r̂ on the CPU kernels (<see cref="SampledDotProduct"/>): <paramref name="pattern"/> is the batch as CSR
    /// (batch rows × gathered columns, entries in the order of <paramref name="entryColumn"/>), no [entries, width] copies.
    /// </summary>
    public static Tensor SampledOutput(SparseMatrix pattern, Tensor code, Tensor output, Tensor outputBias, Tensor entryColumn, int threads) =>
        SampledDotProduct.Apply(pattern, code, output, threads) + outputBias.index_select(0, entryColumn);

    /// <summary>Σ_e (r̂_e − r_e)² over the observed entries.</summary>
    public static Tensor SquaredError(Tensor prediction, Tensor ratings) => (prediction - ratings).square().sum();
}
