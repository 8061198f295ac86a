using System.CommandLine;
using NetflixRec.Contracts;
using NetflixRec.Training.Export;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec export --model MODEL_DIR [--data DATASET_DIR] [--weights auto|fp32|fp16|int8] [--json]</c>: writes model.onnx and completes the model
/// directory for serving (ID maps, titles, history, the ONNX signature in the manifest); see <see cref="ModelExport"/>.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory written by 'netflixrec train'.");
        var data = new Option<string?>("--data") { Description = "Dataset directory the model was trained on (default: the data source recorded in its manifest)." };
        var weights = new Option<string>("--weights") { Description = "How factor models store their factor matrices: auto (int8 where it passes the gate, else fp32), fp32 (exact), fp16 or int8 (refused below the parity gate against fp32).", DefaultValueFactory = _ => WeightLayouts.AutoName };
        var minOverlap = new Option<double>("--min-top10-overlap") { Description = "Parity gate of fp16/int8: least mean top-10 overlap with the fp32 model.", DefaultValueFactory = _ => WeightGate.Default.MinTop10Overlap };
        var maxDifference = new Option<double>("--max-score-diff") { Description = "Parity gate of fp16/int8: largest score difference from the fp32 model.", DefaultValueFactory = _ => WeightGate.Default.MaxScoreDifference };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("export", "Write MODEL_DIR/model.onnx (IR 8, opset 17) and complete the model directory for serving.")
        {
            model, data, weights, minOverlap, maxDifference, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(model), parse.GetValue(data), parse.GetValue(json),
                WeightLayouts.Parse(parse.GetValue(weights) ?? WeightLayouts.AutoName, "--weights"),
                Gate(parse.GetValue(minOverlap), parse.GetValue(maxDifference)));
            return CliRun.Success;
        }));
        return command;
    }

    public static ExportSummary Run(string modelDirectory, string? dataDirectory, bool json) =>
        Run(modelDirectory, dataDirectory, json, WeightLayout.Auto, WeightGate.Default);

    public static ExportSummary Run(string modelDirectory, string? dataDirectory, bool json, WeightLayout weights, WeightGate gate)
    {
        ExportResult export = ModelExport.Run(modelDirectory, dataDirectory, weights, gate, CliRun.Progress);
        OnnxSignature onnx = export.Manifest.Onnx!;
        string path = Path.Combine(modelDirectory, onnx.File);
        double parityDifference = Math.Max(export.Parity.MaxScoreDifference, export.Parity.MaxPairDifference);
        var result = new ExportSummary(
            Model: export.Manifest.Name,
            Onnx: path,
            Bytes: onnx.Bytes,
            ExportSeconds: onnx.ExportSeconds,
            Seconds: Math.Round(export.Seconds, 3),
            IrVersion: onnx.IrVersion,
            Opset: onnx.Opset,
            UserInput: onnx.UserInput,
            ScoreKind: onnx.ScoreKind,
            WroteHistory: export.WroteHistory,
            ParityMaxAbsDiff: parityDifference,
            ParityUsers: export.Parity.Users,
            Weights: onnx.Weights,
            WeightParity: ExportWeightParity.From(onnx.WeightParity));
        CliRun.Finish(json, result,
            $"exported {export.Manifest.Name} → {path} ({CliRun.Megabytes(onnx.Bytes)}, {onnx.Weights} weights, IR {onnx.IrVersion}, opset {onnx.Opset}, graph in {onnx.ExportSeconds:F2} s; " +
            $"ONNX Runtime parity on {export.Parity.Users} users: max |Δ| {parityDifference:E1}" +
            (onnx.WeightParity is { } reduced ? $"; {WeightParityCheck.Describe(reduced)}" : string.Empty) + $") in {export.Seconds:F1} s");
        return result;
    }

    private static WeightGate Gate(double minOverlap, double maxDifference)
    {
        if (!(minOverlap >= 0 && minOverlap <= 1))
        {
            throw new ArgumentException($"--min-top10-overlap: must be 0–1, got {minOverlap}");
        }

        if (!(maxDifference >= 0) || double.IsInfinity(maxDifference))
        {
            throw new ArgumentException($"--max-score-diff: must be a finite number ≥ 0, got {maxDifference}");
        }

        return new WeightGate(minOverlap, maxDifference);
    }
}
