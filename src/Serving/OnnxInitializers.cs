using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace NetflixRec.Serving;

/// <summary>
/// Reads named float initializers out of a model.onnx's bytes (ModelProto.graph.initializer, raw_data or float_data)
/// with a minimal protobuf walk over the span — no copy of the graph, no ONNX library in the server. The serving calls
/// that work outside the graph (fold-in, similar movies) take the movie-side weights from here, so they always match
/// the graph being served.
/// </summary>
public static class OnnxInitializers
{
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int FloatType = 1;
    private const int Int8Type = 3;
    private const int Float16Type = 10;

    /// <summary>
    /// The initializers among <paramref name="names"/> that the graph has, as floats: name → (dims, values). Float16
    /// values are widened; int8 values are returned as the integers they hold, flagged <c>Int8</c> (their scale is a float
    /// initializer of its own).
    /// </summary>
    public static IReadOnlyDictionary<string, (long[] Dims, float[] Values, bool Int8)> ReadFloat(ReadOnlySpan<byte> model, IReadOnlySet<string> names)
    {
        var found = new Dictionary<string, (long[], float[], bool)>(StringComparer.Ordinal);
        var reader = new Reader(model);
        while (reader.Next(out int field, out int wire))
        {
            if (field != ModelGraph || wire != 2)
            {
                reader.Skip(wire);
                continue;
            }

            var graph = new Reader(reader.Bytes());
            while (graph.Next(out int graphField, out int graphWire))
            {
                if (graphField == GraphInitializer && graphWire == 2)
                {
                    ReadTensor(graph.Bytes(), names, found);
                }
                else
                {
                    graph.Skip(graphWire);
                }
            }
        }

        return found;
    }

    private static void ReadTensor(ReadOnlySpan<byte> tensor, IReadOnlySet<string> names, Dictionary<string, (long[], float[], bool)> found)
    {
        var dims = new List<long>();
        int type = 0;
        string name = string.Empty;
        ReadOnlySpan<byte> raw = default;
        ReadOnlySpan<byte> packedFloats = default;
        var reader = new Reader(tensor);
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case TensorDims when wire == 0:
                    dims.Add((long)reader.Varint());
                    break;
                case TensorDims when wire == 2:
                    var packed = new Reader(reader.Bytes());
                    while (!packed.AtEnd)
                    {
                        dims.Add((long)packed.Varint());
                    }

                    break;
                case TensorDataType when wire == 0:
                    type = (int)reader.Varint();
                    break;
                case TensorFloatData when wire == 2:
                    packedFloats = reader.Bytes();
                    break;
                case TensorName when wire == 2:
                    name = Encoding.UTF8.GetString(reader.Bytes());
                    break;
                case TensorRawData when wire == 2:
                    raw = reader.Bytes();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (!names.Contains(name))
        {
            return;
        }

        if (type is Int8Type or Float16Type)
        {
            found[name] = ([.. dims], Widen(raw, type), type == Int8Type);
            return;
        }

        if (type != FloatType)
        {
            return;
        }

        ReadOnlySpan<byte> data = raw.IsEmpty ? packedFloats : raw;
        var values = new float[data.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(data[..(values.Length * sizeof(float))]).CopyTo(values);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
            }
        }

        found[name] = ([.. dims], values, false);
    }

    // The reduced weight layouts of `export --weights` are written as raw data (little-endian halves, or bytes).
    private static float[] Widen(ReadOnlySpan<byte> raw, int type)
    {
        if (type == Int8Type)
        {
            ReadOnlySpan<sbyte> bytes = MemoryMarshal.Cast<byte, sbyte>(raw);
            var values = new float[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                values[i] = bytes[i];
            }

            return values;
        }

        var halves = new float[raw.Length / 2];
        for (int i = 0; i < halves.Length; i++)
        {
            halves[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]);
        }

        return halves;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public Reader(ReadOnlySpan<byte> data) => _data = data;

        public readonly bool AtEnd => _position >= _data.Length;

        public bool Next(out int field, out int wire)
        {
            if (AtEnd)
            {
                field = wire = 0;
                return false;
            }

            ulong tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("model.onnx: malformed protobuf varint");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            int length = checked((int)Varint());
            ReadOnlySpan<byte> bytes = _data.Slice(_position, length);
            _position += length;
            return bytes;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2: Bytes(); break;
                case 5: _position += 4; break;
                default: throw new InvalidDataException($"model.onnx: unsupported protobuf wire type {wire}");
            }
        }
    }
}
