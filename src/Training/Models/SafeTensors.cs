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
            header = JsonNode.Parse(file.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new InvalidDataException($"{path}: empty header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed safetensors header: {e.Message}", e);
        }

        int dataStart = 8 + (int)headerLength;
        var tensors = new List<NamedTensor>();
        foreach ((string name, JsonNode? node) in header)
        {
            if (name == "__metadata__" || node is null)
            {
                continue;
            }

            string dtype = node["dtype"]?.GetValue<string>() ?? string.Empty;
            if (dtype != "F32")
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}, only F32 is supported");
            }

            int[] shape = [.. node["shape"]!.AsArray().Select(s => s!.GetValue<int>())];
            long begin = node["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
            long expected = shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
            if (end - begin != expected || begin < 0 || dataStart + end > file.Length)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' offsets [{begin}, {end}) do not fit shape [{string.Join(',', shape)}] or the file");
            }

            float[] data = MemoryMarshal.Cast<byte, float>(file.AsSpan(dataStart + (int)begin, (int)(end - begin))).ToArray();
            tensors.Add(new NamedTensor(name, shape, data));
        }

        return tensors;
    }

    /// <summary>The tensor with this name; a missing one is an error naming the file and the tensor.</summary>
    public static NamedTensor Require(IReadOnlyList<NamedTensor> tensors, string name, string path) =>
        tensors.FirstOrDefault(t => t.Name == name) ?? throw new InvalidDataException($"{path}: tensor '{name}' is missing");
}
