using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>What one export did, and how closely ONNX Runtime reproduced the model on the sampled users.</summary>
public sealed record ExportResult(
    string ModelDirectory,
    ModelManifest Manifest,
    bool WroteHistory,
    ParityReport Parity,
    double Seconds);

/// <summary>
/// <c>netflixrec export</c>: completes a trained model directory for serving. Writes model.onnx (the kind's graph from
/// <see cref="OnnxExporters"/>), copies the dataset's users.arrow, movies.arrow and titles.arrow, writes history.arrow
/// when the directory lacks it, and records the <see cref="OnnxSignature"/> in manifest.json. Before anything is moved
/// into place the new files are validated (<see cref="OnnxArtifact"/>) and scored in ONNX Runtime against the model
/// itself (<see cref="OnnxParity"/>): an export that would not serve the model's numbers is refused, and the directory
/// is left as it was.
/// </summary>
public static class ModelExport
{
    /// <summary>Users whose full score rows, and pairs, the export compares between ONNX Runtime and the model.</summary>
    public const int CheckedUsers = 32;

    public static ExportResult Run(string modelDirectory, string? dataDirectory, Action<string> progress) =>
        Run(modelDirectory, dataDirectory, WeightLayout.Fp32, WeightGate.Default, progress);

    /// <summary>As <see cref="Run(string, string?, Action{string})"/>, with the external-data threshold given (tests use a small one).</summary>
    internal static ExportResult Run(string modelDirectory, string? dataDirectory, Action<string> progress, long externalThreshold) =>
        RunLayout(modelDirectory, dataDirectory, WeightLayout.Fp32, WeightGate.Default, progress, externalThreshold);

    /// <summary>
    /// As <see cref="Run(string, string?, Action{string})"/> (which is exact fp32), with the factor matrices in
    /// <paramref name="weights"/>: a reduced layout (factor models only) must also pass <paramref name="gate"/> against
    /// the fp32 model (<see cref="WeightParityCheck"/>); <see cref="WeightLayout.Auto"/> tries int8 and falls back to fp32.
    /// </summary>
    public static ExportResult Run(string modelDirectory, string? dataDirectory, WeightLayout weights, WeightGate gate, Action<string> progress)
    {
        if (weights != WeightLayout.Auto)
        {
            return RunLayout(modelDirectory, dataDirectory, weights, gate, progress);
        }

        (IRatingModel candidate, _) = ModelStore.Load(modelDirectory);
        if (candidate is not Models.Scoring.FactorModel { Factors: > 0 })
        {
            return RunLayout(modelDirectory, dataDirectory, WeightLayout.Fp32, gate, progress);
        }

        try
        {
            return RunLayout(modelDirectory, dataDirectory, WeightLayout.Int8, gate, progress);
        }
        catch (WeightGateRefusedException e)
        {
            // The directory is as it was (nothing moved into place): export the exact graph instead.
            progress($"export: {e.Message}; exporting fp32 instead");
            return RunLayout(modelDirectory, dataDirectory, WeightLayout.Fp32, gate, progress);
        }
    }

    private static ExportResult RunLayout(string modelDirectory, string? dataDirectory, WeightLayout weights, WeightGate gate, Action<string> progress,
        long externalThreshold = OnnxExternalData.DefaultThreshold)
    {
        var clock = Stopwatch.StartNew();
        (IRatingModel model, ModelManifest manifest) = ModelStore.Load(modelDirectory);
        LocalDataset dataset = OpenDataset(modelDirectory, manifest, dataDirectory);
        OnnxExporter exporter = OnnxExporters.Find(model);
        var factorModel = model as Models.Scoring.FactorModel;
        if (weights != WeightLayout.Fp32 && factorModel is null)
        {
            throw new ArgumentException($"--weights {weights.Name()}: only the matrix factorization graphs have reduced layouts; model '{manifest.Name}' ({model.GetType().Name}) exports as fp32");
        }

        bool external = false;
        ExportResult result = OutputDirectory.ReplaceFiles(modelDirectory, temp =>
        {
            progress($"export: {manifest.Name} graph ({model.Users:N0} users × {model.Movies:N0} movies)");
            string onnxPath = Path.Combine(temp, ModelDirectory.Onnx);
            var exportClock = Stopwatch.StartNew();
            ExportedGraph graph = weights == WeightLayout.Fp32 ? exporter.Export(model) : FactorModelExporter.Export(factorModel!, weights);
            ModelProto proto = OnnxModelFile.Assemble(graph, new OnnxModelFacts(manifest.Name, manifest.Family, manifest.Users, manifest.Movies, manifest.DataFingerprint));
            (long bytes, string sha256) = OnnxModelFile.Write(proto, onnxPath, externalThreshold);
            double exportSeconds = exportClock.Elapsed.TotalSeconds;
            (IReadOnlyList<OnnxTensorInfo> inputs, IReadOnlyList<OnnxTensorInfo> outputs) = ServingGraph.Signature(graph.UserInput, manifest.Movies, graph.TakesDay);
            var signature = new OnnxSignature(ModelDirectory.Onnx, OnnxContract.IrVersion, OnnxContract.Opset, graph.UserInput, inputs, outputs,
                Math.Round(exportSeconds, 3), bytes, graph.ScoreKind, sha256, weights.Name());
            ModelManifest exported = manifest with { Onnx = signature };

            // The graph's external data (a graph past protobuf's limit) moves in before the graph that points at it.
            external = File.Exists(OnnxExternalData.PathFor(onnxPath));
            var files = new List<string>();
            if (external)
            {
                files.Add(Path.GetFileName(OnnxExternalData.PathFor(onnxPath)));
            }

            files.Add(ModelDirectory.Onnx);
            foreach (string name in new[] { ModelDirectory.Users, ModelDirectory.Movies, ModelDirectory.Titles })
            {
                File.Copy(Path.Combine(dataset.Directory, name), Path.Combine(temp, name));
                files.Add(name);
            }

            // Trainers of models that read a user's ratings saved it already; the others get it here, for the server's exclusion of rated movies.
            bool writeHistory = !File.Exists(Path.Combine(modelDirectory, ModelDirectory.History));
            RatingIndex? history = writeHistory || graph.UserInput == OnnxContract.RatingVectorInput
                ? (model as IReadsUserHistory)?.History ?? RatingIndex.ByUser(dataset.LoadRatings(DatasetPartition.Train), manifest.Users)
                : null;
            if (writeHistory && history is not null)
            {
                progress($"export: history.arrow ({history.Columns.Length:N0} training ratings)");
                UserHistory.Write(Path.Combine(temp, ModelDirectory.History), history);
                files.Add(ModelDirectory.History);
            }

            string size = $"{bytes / 1048576.0:F1} MB{(external ? $" + {new FileInfo(OnnxExternalData.PathFor(onnxPath)).Length / 1048576.0:F1} MB external data" : string.Empty)}";
            progress(weights == WeightLayout.Fp32
                ? $"export: validating model.onnx ({size}) and checking parity on {CheckedUsers} users in ONNX Runtime"
                : $"export: validating model.onnx ({size})");
            OnnxArtifact.Validate(temp, exported);
            ParityReport parity;
            if (weights == WeightLayout.Fp32)
            {
                parity = OnnxParity.Check(model, onnxPath, graph.UserInput, history, OnnxParity.SampleUsers(model.Users, CheckedUsers, seed: 1));
                if (!parity.Passed)
                {
                    throw new InvalidOperationException($"{modelDirectory}: ONNX Runtime does not reproduce the model: {parity}");
                }
            }
            else
            {
                // Rounded weights cannot meet the exact gate; they must keep the fp32 model's answers within the weight gate.
                progress($"export: {weights.Name()} weights against the fp32 model on {WeightParityCheck.CheckedUsers} users");
                WeightParity reduced = WeightParityCheck.Check(model, onnxPath, weights, gate, OnnxParity.SampleUsers(model.Users, WeightParityCheck.CheckedUsers, seed: 2));
                if (!reduced.Passed)
                {
                    throw new WeightGateRefusedException($"--weights {weights.Name()}: refused by the parity gate against fp32: {WeightParityCheck.Describe(reduced)}");
                }

                exported = exported with { Onnx = signature with { WeightParity = reduced } };
                parity = new ParityReport(reduced.Users, reduced.Pairs, reduced.MaxScoreDifference, reduced.MaxPairDifference, 0, 0);
            }

            File.WriteAllText(Path.Combine(temp, ModelDirectory.Manifest), exported.ToJson());
            files.Add(ModelDirectory.Manifest);

            return (files, new ExportResult(modelDirectory, exported, writeHistory, parity, clock.Elapsed.TotalSeconds));
        });

        // A data file left by an earlier export of a larger graph belongs to no graph now.
        string staleData = OnnxExternalData.PathFor(Path.Combine(modelDirectory, ModelDirectory.Onnx));
        if (!external && File.Exists(staleData))
        {
            File.Delete(staleData);
        }

        return result;
    }

    /// <summary>The dataset the model was trained on: <paramref name="dataDirectory"/>, else the manifest's data source; its fingerprint must match.</summary>
    private static LocalDataset OpenDataset(string modelDirectory, ModelManifest manifest, string? dataDirectory)
    {
        string? source = dataDirectory ?? manifest.DataSource;
        string option = dataDirectory is null ? $"{modelDirectory}/{ModelDirectory.Manifest} data_source" : "--data";
        if (source is null)
        {
            throw new ArgumentException($"--data: {modelDirectory} does not record the dataset it was trained on; pass --data DATASET_DIR");
        }

        if (Uri.TryCreate(source, UriKind.Absolute, out Uri? address) && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{option}: {source} is a Flight endpoint; export copies the ID maps and titles from a dataset directory: pass --data DATASET_DIR");
        }

        LocalDataset dataset;
        try
        {
            dataset = LocalDataset.Open(source);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"{option}: {e.Message}{(dataDirectory is null ? "; pass --data DATASET_DIR" : string.Empty)}", e);
        }

        if (dataset.Manifest.Fingerprint != manifest.DataFingerprint)
        {
            throw new ArgumentException(
                $"{option}: {modelDirectory} was trained on data {manifest.DataFingerprint}, but {source} is {dataset.Manifest.Fingerprint}; export with the dataset it was trained on");
        }

        if (dataset.Manifest.Users != manifest.Users || dataset.Manifest.Movies != manifest.Movies)
        {
            throw new InvalidDataException($"{source}: {dataset.Manifest.Users} users × {dataset.Manifest.Movies} movies, but the model has {manifest.Users} × {manifest.Movies}");
        }

        return dataset;
    }
}
