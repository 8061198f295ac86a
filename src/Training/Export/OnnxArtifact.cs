using System.Globalization;
using Google.Protobuf;
using NetflixRec.Contracts;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>
/// Checks that a model directory's model.onnx is the graph its manifest describes, before anything is scored with it.
/// A corrupt or mismatched artifact becomes an <see cref="InvalidDataException"/> naming the file and what is wrong:
/// <list type="number">
/// <item>the manifest records an ONNX signature, and the file's size and SHA-256 equal the recorded ones (truncation, bit rot);
/// a graph with external data (<see cref="OnnxExternalData"/>) has its model.onnx.data of the size and SHA-256 model.onnx records;</item>
/// <item>it parses as an ONNX ModelProto with IR version 8 and default-domain opset 17;</item>
/// <item>its inputs and outputs are exactly <see cref="OnnxContract"/>'s for the manifest's user input kind and movie count;</item>
/// <item>its metadata names the manifest's model, user and movie counts and data fingerprint;</item>
/// <item>every initializer's raw data fits its dims, every node input is defined before use, every output is computed
/// (a missing initializer);</item>
/// <item>ONNX Runtime loads it and a run for the first and last user gives scores [2, movies] and pair_scores [2]
/// (weights whose dims disagree with the manifest).</item>
/// </list>
/// The server, which does not reference this project, can do 1 (size and SHA-256), 3 (session input/output metadata),
/// 4 (ModelMetadata.CustomMetadataMap) and 6 with ONNX Runtime alone; 2 and 5 are what ONNX Runtime's own loader refuses.
/// </summary>
public static class OnnxArtifact
{
    public static void Validate(string modelDirectory, ModelManifest manifest)
    {
        string path = Path.Combine(modelDirectory, ModelDirectory.Onnx);
        CheckStructure(path, manifest);
        SmokeRun(path, manifest);
    }

    /// <summary>Checks 1–5 (everything but running it); returns the parsed model.</summary>
    public static ModelProto CheckStructure(string path, ModelManifest manifest)
    {
        OnnxSignature signature = manifest.Onnx
            ?? throw new InvalidDataException($"{Path.Combine(Path.GetDirectoryName(path) ?? ".", ModelDirectory.Manifest)}: no ONNX signature; run 'netflixrec export' first");
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found, but the manifest records an export; run 'netflixrec export' again");
        }

        long bytes = new FileInfo(path).Length;
        if (bytes != signature.Bytes)
        {
            throw new InvalidDataException($"{path}: {bytes} bytes, but the manifest records {signature.Bytes}: truncated or replaced; run 'netflixrec export' again");
        }

        if (signature.Sha256 is { } expected && OnnxModelFile.Sha256Of(path) != expected)
        {
            throw new InvalidDataException($"{path}: SHA-256 differs from the manifest's: the file was altered; run 'netflixrec export' again");
        }

        ModelProto model;
        try
        {
            using FileStream stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a valid ONNX model ({e.Message})", e);
        }

        CheckVersions(path, model, signature);
        CheckSignature(path, model.Graph, manifest, signature);
        CheckMetadata(path, model, manifest);
        CheckGraph(path, model.Graph);
        OnnxExternalData.Verify(path, model);
        return model;
    }

    /// <summary>Check 6: ONNX Runtime loads the file and returns outputs of the manifest's shape for the first and last user.</summary>
    public static void SmokeRun(string path, ModelManifest manifest)
    {
        OnnxSignature signature = manifest.Onnx ?? throw new InvalidDataException($"{path}: the manifest records no ONNX signature");
        int last = manifest.Users - 1;
        var emptyHistory = new Data.Transforms.RatingIndex(new long[manifest.Users + 1], Array.Empty<int>(), Array.Empty<float>());
        using OnnxScorer scorer = OnnxScorer.Open(path, signature.UserInput, manifest.Movies, emptyHistory, threads: 1);
        (long[] scores, long[] pairs) shapes;
        try
        {
            shapes = scorer.Shapes([0, last], [0, 1], [0, manifest.Movies - 1]);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new InvalidDataException(
                $"{path}: scoring users 0 and {last} fails, so the weights do not match the manifest ({manifest.Users} users × {manifest.Movies} movies): {e.Message}", e);
        }

        if (shapes.scores is not [2, long m] || m != manifest.Movies || shapes.pairs is not [2])
        {
            throw new InvalidDataException(
                $"{path}: scores come out [{string.Join(", ", shapes.scores)}] and pair_scores [{string.Join(", ", shapes.pairs)}], expected [2, {manifest.Movies}] and [2]: the weights do not match the manifest");
        }
    }

    private static void CheckVersions(string path, ModelProto model, OnnxSignature signature)
    {
        long opset = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(-1).Max();
        if (model.IrVersion != OnnxContract.IrVersion || signature.IrVersion != OnnxContract.IrVersion || opset != OnnxContract.Opset || signature.Opset != OnnxContract.Opset)
        {
            throw new InvalidDataException($"{path}: IR version {model.IrVersion}, opset {opset} (manifest: {signature.IrVersion}, {signature.Opset}); expected IR {OnnxContract.IrVersion}, opset {OnnxContract.Opset}");
        }

        if (model.Graph is null)
        {
            throw new InvalidDataException($"{path}: the model has no graph");
        }
    }

    private static void CheckSignature(string path, GraphProto graph, ModelManifest manifest, OnnxSignature signature)
    {
        (IReadOnlyList<OnnxTensorInfo> inputs, IReadOnlyList<OnnxTensorInfo> outputs) = ServingGraph.Signature(signature.UserInput, manifest.Movies, signature.TakesDay());
        Compare(path, "input", inputs, graph.Input.Select(Describe).ToList(), signature.Inputs);
        Compare(path, "output", outputs, graph.Output.Select(Describe).ToList(), signature.Outputs);
    }

    private static void Compare(string path, string role, IReadOnlyList<OnnxTensorInfo> contract, IReadOnlyList<OnnxTensorInfo> inGraph, IReadOnlyList<OnnxTensorInfo> inManifest)
    {
        string expected = Text(contract);
        if (Text(inGraph) != expected)
        {
            throw new InvalidDataException($"{path}: graph {role}s are {Text(inGraph)}, expected {expected}");
        }

        if (Text(inManifest) != expected)
        {
            throw new InvalidDataException($"{path}: the manifest records {role}s {Text(inManifest)}, expected {expected}");
        }
    }

    private static string Text(IReadOnlyList<OnnxTensorInfo> tensors) =>
        string.Join(", ", tensors.Select(t => $"{t.Name} {t.ElementType} [{string.Join(", ", t.Shape.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"));

    private static OnnxTensorInfo Describe(ValueInfoProto value)
    {
        TypeProto.Types.Tensor? tensor = value.Type?.TensorType;
        string type = (TensorProto.Types.DataType)(tensor?.ElemType ?? 0) switch
        {
            TensorProto.Types.DataType.Float => "float",
            TensorProto.Types.DataType.Int64 => "int64",
            TensorProto.Types.DataType other => other.ToString().ToLowerInvariant(),
        };
        IReadOnlyList<long> shape = tensor?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToList() ?? [];
        return new OnnxTensorInfo(value.Name, type, shape);
    }

    private static void CheckMetadata(string path, ModelProto model, ModelManifest manifest)
    {
        Dictionary<string, string> metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        // Unlike the server's check, a missing key is an error here: every graph this exporter writes carries them all.
        foreach (OnnxMetadataFact fact in OnnxContract.MetadataFacts(manifest))
        {
            string actual = metadata.GetValueOrDefault(fact.Key) ?? "(missing)";
            if (actual != fact.Expected)
            {
                throw new InvalidDataException($"{path}: metadata {fact.Key} is {actual}, but the manifest says {fact.Expected}: model.onnx belongs to another model");
            }
        }
    }

    private static void CheckGraph(string path, GraphProto graph)
    {
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        foreach (TensorProto initializer in graph.Initializer)
        {
            long elements = initializer.Dims.Aggregate(1L, (a, d) => d < 0 ? -1 : a * d);
            long size = (TensorProto.Types.DataType)initializer.DataType switch
            {
                TensorProto.Types.DataType.Float => sizeof(float),
                TensorProto.Types.DataType.Int64 => sizeof(long),
                TensorProto.Types.DataType.Float16 => 2,
                TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 => 1,
                _ => throw new InvalidDataException($"{path}: initializer '{initializer.Name}' has element type {initializer.DataType}; only float, int64, float16, int8 and uint8 are exported"),
            };
            long length = OnnxExternalData.DataLength(initializer);
            if (elements < 0 || length != elements * size)
            {
                throw new InvalidDataException(
                    $"{path}: initializer '{initializer.Name}' has {length} bytes of {(OnnxExternalData.IsExternal(initializer) ? "external" : "raw")} data for dims [{string.Join(", ", initializer.Dims)}]");
            }

            defined.Add(initializer.Name);
        }

        foreach (NodeProto node in graph.Node)
        {
            foreach (string input in node.Input)
            {
                if (input.Length > 0 && !defined.Contains(input))
                {
                    throw new InvalidDataException($"{path}: node {node.Name} ({node.OpType}) reads '{input}', which is neither an input, an initializer nor an earlier node's output (missing initializer?)");
                }
            }

            defined.UnionWith(node.Output);
        }

        foreach (ValueInfoProto output in graph.Output)
        {
            if (!defined.Contains(output.Name))
            {
                throw new InvalidDataException($"{path}: graph output '{output.Name}' is not computed by any node");
            }
        }
    }
}
