using NetflixRec.Contracts;

namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec export</c> wrote: the graph file, its size and signature, the ONNX Runtime parity against the model
/// and, for fp16/int8 weights, the parity against fp32 (<see cref="ExportWeightParity"/>). Printed by <c>--json</c> in this
/// order (<see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record ExportSummary(
    string Model,
    string Onnx,
    long Bytes,
    double ExportSeconds,
    double Seconds,
    long IrVersion,
    long Opset,
    string UserInput,
    string ScoreKind,
    bool WroteHistory,
    double ParityMaxAbsDiff,
    int ParityUsers,
    string Weights,
    ExportWeightParity? WeightParity);

/// <summary>The manifest's <see cref="Contracts.WeightParity"/> as export prints it (without the layout name, given beside it).</summary>
internal sealed record ExportWeightParity(
    double MeanTop10Overlap,
    double MinTop10Overlap,
    double MaxScoreDifference,
    double MaxPairDifference,
    int Users,
    int Pairs,
    double MinTop10OverlapGate,
    double MaxScoreDifferenceGate)
{
    public static ExportWeightParity? From(WeightParity? parity) => parity is null ? null : new(parity.MeanTop10Overlap,
        parity.MinTop10Overlap, parity.MaxScoreDifference, parity.MaxPairDifference, parity.Users, parity.Pairs,
        parity.MinTop10OverlapGate, parity.MaxScoreDifferenceGate);
}
