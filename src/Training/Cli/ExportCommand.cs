using System.CommandLine;
using NetflixRec.Contracts;
using NetflixRec.Training.Export;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec export --model MODEL_DIR [--data DATASET_DIR] [--json]</c>: writes model.onnx and completes the model
/// directory for serving (ID maps, titles, history, the ONNX signature in the manifest); see <see cref="ModelExport"/>.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory written by 'netflixrec train'.");
        var data = new Option<string?>("--data") { Description = "Dataset directory the model was trained on (default: the data source recorded in its manifest)." };
        Option<bool> json = CommonOptions.Json();
        var command = new Command("export", "Write MODEL_DIR/model.onnx (IR 8, opset 17) and complete the model directory for serving.")
        {
            model, data, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(model), parse.GetValue(data), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static IReadOnlyDictionary<string, object?> Run(string modelDirectory, string? dataDirectory, bool json)
    {
        ExportResult export = ModelExport.Run(modelDirectory, dataDirectory, CliRun.Progress);
        OnnxSignature onnx = export.Manifest.Onnx!;
        var result = new Dictionary<string, object?>
        {
            ["model"] = export.Manifest.Name,
            ["onnx"] = Path.Combine(modelDirectory, onnx.File),
            ["bytes"] = onnx.Bytes,
            ["export_seconds"] = onnx.ExportSeconds,
            ["seconds"] = Math.Round(export.Seconds, 3),
            ["ir_version"] = onnx.IrVersion,
            ["opset"] = onnx.Opset,
            ["user_input"] = onnx.UserInput,
            ["score_kind"] = onnx.ScoreKind,
            ["wrote_history"] = export.WroteHistory,
            ["parity_max_abs_diff"] = Math.Max(export.Parity.MaxScoreDifference, export.Parity.MaxPairDifference),
            ["parity_users"] = export.Parity.Users,
        };
        CliRun.Finish(json, result,
            $"exported {export.Manifest.Name} → {result["onnx"]} ({CliRun.Megabytes(onnx.Bytes)}, IR {onnx.IrVersion}, opset {onnx.Opset}, graph in {onnx.ExportSeconds:F2} s; " +
            $"ONNX Runtime parity on {export.Parity.Users} users: max |Δ| {Math.Max(export.Parity.MaxScoreDifference, export.Parity.MaxPairDifference):E1}) in {export.Seconds:F1} s");
        return result;
    }
}
