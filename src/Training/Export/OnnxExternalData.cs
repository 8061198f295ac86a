using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>
/// ONNX external data for graphs past protobuf's 2 GB limit (timesvdpp at the Prize's size): the large initializers'
/// bytes go to <c>model.onnx.data</c> beside <c>model.onnx</c> (each tensor records location, offset and length, the
/// layout ONNX Runtime reads when it loads the model from its path), and model.onnx carries the data file's size and
/// SHA-256 in its metadata, so the manifest's hash of model.onnx covers both files. Small graphs stay one file.
/// </summary>
public static class OnnxExternalData
{
    /// <summary>Above this much initializer data a graph is written with external data (protobuf refuses 2 GB; a margin for the graph).</summary>
    public const long DefaultThreshold = 1L << 30;

    /// <summary>Initializers smaller than this stay inside model.onnx (scalars, axes, small tables).</summary>
    public const int MinExternalBytes = 4096;

    /// <summary>model.onnx metadata: the data file's size in bytes.</summary>
    public const string MetadataBytes = "netflixrec.external_data_bytes";

    /// <summary>model.onnx metadata: the data file's SHA-256 (lowercase hex).</summary>
    public const string MetadataSha256 = "netflixrec.external_data_sha256";

    // Tensors start on page boundaries, so ONNX Runtime can map them.
    private const int Alignment = 4096;

    /// <summary>The data file that belongs to a graph file: <c>model.onnx</c> → <c>model.onnx.data</c>.</summary>
    public static string PathFor(string onnxPath) => onnxPath + ".data";

    /// <summary>Bytes of initializer data the graph holds inline.</summary>
    public static long InlineBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Graph.Initializer.Sum(t => (long)t.RawData.Length);
    }

    /// <summary>
    /// Moves every initializer of at least <see cref="MinExternalBytes"/> out of <paramref name="model"/> (which is changed)
    /// into <paramref name="dataPath"/>, and records the file's size and SHA-256 in the model's metadata.
    /// </summary>
    public static (long Bytes, string Sha256) MoveOut(ModelProto model, string dataPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        string location = Path.GetFileName(dataPath);
        long offset = 0;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (FileStream stream = File.Create(dataPath))
        {
            Span<byte> padding = stackalloc byte[Alignment];
            padding.Clear();
            foreach (TensorProto tensor in model.Graph.Initializer.Where(t => t.RawData.Length >= MinExternalBytes))
            {
                int pad = (int)((Alignment - (offset % Alignment)) % Alignment);
                stream.Write(padding[..pad]);
                hash.AppendData(padding[..pad]);
                offset += pad;
                ReadOnlySpan<byte> data = tensor.RawData.Span;
                stream.Write(data);
                hash.AppendData(data);
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(Entry("location", location));
                tensor.ExternalData.Add(Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
                tensor.ExternalData.Add(Entry("length", data.Length.ToString(CultureInfo.InvariantCulture)));
                offset += data.Length;
                tensor.RawData = ByteString.Empty;
            }

            string sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataBytes, Value = offset.ToString(CultureInfo.InvariantCulture) });
            model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataSha256, Value = sha256 });
            return (offset, sha256);
        }
    }

    /// <summary>True when the tensor's bytes live in an external file.</summary>
    public static bool IsExternal(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.DataLocation == TensorProto.Types.DataLocation.External;
    }

    /// <summary>The byte length of a tensor's data, inline or external.</summary>
    public static long DataLength(TensorProto tensor) =>
        IsExternal(tensor) && long.TryParse(Value(tensor, "length"), NumberStyles.None, CultureInfo.InvariantCulture, out long length) ? length : tensor.RawData.Length;

    /// <summary>
    /// For a graph read from <paramref name="onnxPath"/>: when any initializer is external, the data file beside it exists
    /// with the size and SHA-256 the graph's metadata records, and every external tensor names that file (no other path)
    /// and lies inside it. Anything else is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static void Verify(string onnxPath, ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        TensorProto[] external = [.. model.Graph.Initializer.Where(IsExternal)];
        if (external.Length == 0)
        {
            return;
        }

        string dataPath = PathFor(onnxPath);
        string expectedLocation = Path.GetFileName(dataPath);
        Dictionary<string, string> metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        if (!File.Exists(dataPath))
        {
            throw new InvalidDataException($"{dataPath}: not found, but {onnxPath} keeps {external.Length} initializers in it; copy the model directory whole or run 'netflixrec export' again");
        }

        long bytes = new FileInfo(dataPath).Length;
        if (!metadata.TryGetValue(MetadataBytes, out string? recorded) || recorded != bytes.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{dataPath}: {bytes} bytes, but {onnxPath} records {recorded ?? "(no size)"}: truncated or replaced; run 'netflixrec export' again");
        }

        using (FileStream stream = File.OpenRead(dataPath))
        {
            if (metadata.GetValueOrDefault(MetadataSha256) != Convert.ToHexStringLower(SHA256.HashData(stream)))
            {
                throw new InvalidDataException($"{dataPath}: SHA-256 differs from the one {onnxPath} records: the file was altered; run 'netflixrec export' again");
            }
        }

        foreach (TensorProto tensor in external)
        {
            bool parsed = long.TryParse(Value(tensor, "offset") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
                & long.TryParse(Value(tensor, "length"), NumberStyles.None, CultureInfo.InvariantCulture, out long length);
            if (Value(tensor, "location") != expectedLocation || !parsed || offset + length > bytes)
            {
                throw new InvalidDataException(
                    $"{onnxPath}: initializer '{tensor.Name}' points at {Value(tensor, "location") ?? "(no location)"} offset {Value(tensor, "offset")} length {Value(tensor, "length")}, not inside {expectedLocation} ({bytes} bytes)");
            }
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    private static string? Value(TensorProto tensor, string key) => tensor.ExternalData.LastOrDefault(e => e.Key == key)?.Value;
}
