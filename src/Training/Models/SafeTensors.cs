using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NetflixRec.Training.Models;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of name → dtype, shape
/// and byte offsets, then the raw data), so saved weights open in Python as well as here. Only F32 is used.
/// </summary>
public static class SafeTensors
{
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (NamedTensor tensor in tensors)
        {
            long bytes = tensor.ElementCount * sizeof(float);
            if (tensor.Data.Length != tensor.ElementCount)
            {
                throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.Data.Length} values for shape [{string.Join(',', tensor.Shape)}]", nameof(tensors));
            }

            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. tensor.Shape.Select(s => JsonValue.Create(s))]),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The format pads the header with spaces to an 8-byte boundary.
        int padded = (headerBytes.Length + 7) & ~7;
        using FileStream stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (NamedTensor tensor in tensors)
        {
            stream.Write(MemoryMarshal.AsBytes(tensor.Data.Span));
        }
    }

    /// <summary>
    /// Reads every tensor of <paramref name="path"/>. The file is not trusted: a missing or mistyped field, a negative
    /// or overflowing dimension, or offsets outside the data are an <see cref="InvalidDataException"/> naming the file,
    /// the tensor and the field.
    /// </summary>
    public static IReadOnlyList<NamedTensor> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8)
        {
            throw new InvalidDataException($"{path}: too short for a safetensors file");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)(file.Length - 8))
        {
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(file.AsSpan(8, (int)headerLength)) as JsonObject ?? throw new InvalidDataException($"{path}: the header is not a JSON object");
            _ = header.Count; // the object fills lazily: make a repeated key fail here, not mid-loop
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // ArgumentException: a key repeated in the header.
            throw new InvalidDataException($"{path}: malformed safetensors header: {e.Message}", e);
        }

        int dataStart = 8 + (int)headerLength;
        long dataLength = file.Length - dataStart;
        var tensors = new List<NamedTensor>();
        foreach ((string name, JsonNode? node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            if (node is not JsonObject entry)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' is not an object with dtype, shape and data_offsets");
            }

            string dtype = entry["dtype"] is JsonValue dtypeValue && dtypeValue.TryGetValue(out string? text) ? text : "(missing)";
            if (dtype != "F32")
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}, only F32 is supported");
            }

            int[] shape = ReadShape(entry, name, path, dataLength);
            long[] offsets = ReadIntegers(entry, "data_offsets", name, path);
            if (offsets.Length != 2)
            {
                throw new InvalidDataException($"{path}: tensor '{name}': data_offsets must be [begin, end], found {offsets.Length} values");
            }

            (long begin, long end) = (offsets[0], offsets[1]);
            long expected = shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
            if (begin < 0 || end < begin || end > dataLength || end - begin != expected)
            {
                throw new InvalidDataException($"{path}: tensor '{name}': data_offsets [{begin}, {end}) do not fit shape [{string.Join(',', shape)}] ({expected} bytes) or the {dataLength} bytes of data");
            }

            float[] data = MemoryMarshal.Cast<byte, float>(file.AsSpan(dataStart + (int)begin, (int)(end - begin))).ToArray();
            tensors.Add(new NamedTensor(name, shape, data));
        }

        return tensors;
    }

    // Dimensions are non-negative ints whose product (in bytes) fits the data; checked as the product grows, so a
    // huge dimension cannot overflow it.
    private static int[] ReadShape(JsonObject entry, string name, string path, long dataLength)
    {
        long[] dims = ReadIntegers(entry, "shape", name, path);
        long bytes = sizeof(float);
        foreach (long dim in dims)
        {
            if (dim is < 0 or > int.MaxValue)
            {
                throw new InvalidDataException($"{path}: tensor '{name}': shape [{string.Join(',', dims)}] has a dimension outside 0..{int.MaxValue}");
            }

            bytes *= dim;
            if (bytes > dataLength)
            {
                throw new InvalidDataException($"{path}: tensor '{name}': shape [{string.Join(',', dims)}] needs more than the {dataLength} bytes of data");
            }
        }

        return [.. dims.Select(d => (int)d)];
    }

    private static long[] ReadIntegers(JsonObject entry, string field, string name, string path)
    {
        if (entry[field] is not JsonArray array)
        {
            throw new InvalidDataException($"{path}: tensor '{name}': {field} is missing or not an array");
        }

        var values = new long[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is not JsonValue value || !value.TryGetValue(out long number))
            {
                throw new InvalidDataException($"{path}: tensor '{name}': {field}[{i}] is not an integer");
            }

            values[i] = number;
        }

        return values;
    }

    /// <summary>The single value of a scalar tensor (saved as shape [1]); anything else is an error naming the file and the tensor.</summary>
    public static float RequireScalar(IReadOnlyList<NamedTensor> tensors, string name, string path)
    {
        NamedTensor tensor = Require(tensors, name, path);
        return tensor.Data.Length == 1 ? tensor.Data.Span[0]
            : throw new InvalidDataException($"{path}: tensor '{name}' must hold one value, found {tensor.Data.Length}");
    }

    /// <summary>The tensor with this name; a missing one is an error naming the file and the tensor.</summary>
    public static NamedTensor Require(IReadOnlyList<NamedTensor> tensors, string name, string path) =>
        tensors.FirstOrDefault(t => t.Name == name) ?? throw new InvalidDataException($"{path}: tensor '{name}' is missing");
}
