using System.Runtime.InteropServices;
using Google.Protobuf;
using NetflixRec.Training.Models;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>One dimension of a graph input or output: a fixed size, or a named dynamic one (batch, pairs).</summary>
public readonly record struct OnnxDim(long Size, string? Symbol)
{
    public static OnnxDim Fixed(long size) => new(size, null);

    public static OnnxDim Dynamic(string symbol) => new(-1, symbol);

    public bool IsDynamic => Symbol is not null;
}

/// <summary>
/// Builds one ONNX graph: initializers (weights as raw little-endian data), nodes in execution order, and typed inputs
/// and outputs. Every method returns the name of the value it defines, so a graph reads like the formula it computes.
/// Node and value names are generated unique; only inputs, outputs and initializers get the names given. The builder
/// is scratch state of one export; <see cref="Build"/> hands out the finished, immutable-by-convention proto.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>A float32 initializer holding a model tensor, under the tensor's own name.</summary>
    public string Initializer(NamedTensor tensor)
    {
        if (tensor.Data.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.Data.Length} values for shape [{string.Join(',', tensor.Shape)}]", nameof(tensor));
        }

        return AddInitializer(tensor.Name, TensorProto.Types.DataType.Float, [.. tensor.Shape.Select(d => (long)d)], MemoryMarshal.AsBytes(tensor.Data.Span));
    }

    /// <summary>A float32 initializer of any shape (precomputed values such as GNN embeddings).</summary>
    public string Initializer(string name, IReadOnlyList<long> shape, ReadOnlySpan<float> values) =>
        AddInitializer(name, TensorProto.Types.DataType.Float, shape, MemoryMarshal.AsBytes(values));

    /// <summary>A float16 initializer from half-float raw bytes (the reduced movie weights).</summary>
    public string HalfInitializer(string name, IReadOnlyList<long> shape, ReadOnlySpan<byte> halfBytes) =>
        AddInitializer(name, TensorProto.Types.DataType.Float16, shape, halfBytes);

    /// <summary>An int8 initializer (quantized weights).</summary>
    public string Int8Initializer(string name, IReadOnlyList<long> shape, ReadOnlySpan<sbyte> values) =>
        AddInitializer(name, TensorProto.Types.DataType.Int8, shape, MemoryMarshal.AsBytes(values));

    /// <summary>A uint8 initializer (quantized weights stored with a zero point).</summary>
    public string UInt8Initializer(string name, IReadOnlyList<long> shape, ReadOnlySpan<byte> values) =>
        AddInitializer(name, TensorProto.Types.DataType.Uint8, shape, values);

    /// <summary>An int64 constant (shapes, axes, indices).</summary>
    public string Constant(string hint, IReadOnlyList<long> shape, ReadOnlySpan<long> values) =>
        AddInitializer(Unique(hint), TensorProto.Types.DataType.Int64, shape, MemoryMarshal.AsBytes(values));

    /// <summary>An int64 vector constant, e.g. the axes of ReduceSum or Unsqueeze.</summary>
    public string Int64s(string hint, params long[] values) => Constant(hint, [values.Length], values);

    public void Input(string name, TensorProto.Types.DataType type, params OnnxDim[] shape) => _graph.Input.Add(ValueInfo(Claim(name), type, shape));

    /// <summary>Declares an already computed value as a graph output.</summary>
    public void Output(string name, TensorProto.Types.DataType type, params OnnxDim[] shape)
    {
        if (!_names.Contains(name))
        {
            throw new ArgumentException($"graph output '{name}' is not computed by any node", nameof(name));
        }

        _graph.Output.Add(ValueInfo(name, type, shape));
    }

    /// <summary>Adds a node with one output and returns that output's name (<paramref name="output"/> or a fresh one).</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        foreach (string input in inputs)
        {
            if (input.Length > 0 && !_names.Contains(input))
            {
                throw new ArgumentException($"{opType}: input '{input}' is not defined yet", nameof(inputs));
            }
        }

        string result = Claim(output ?? Unique(opType.ToLowerInvariant()));
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(result);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return result;
    }

    public string Gather(string data, string indices, long axis = 0, string? output = null) =>
        Node("Gather", [data, indices], output, IntAttribute("axis", axis));

    public string Add(string a, string b, string? output = null) => Node("Add", [a, b], output);

    public string Mul(string a, string b, string? output = null) => Node("Mul", [a, b], output);

    public string Sub(string a, string b, string? output = null) => Node("Sub", [a, b], output);

    /// <summary>The value converted to another element type.</summary>
    public string Cast(string value, TensorProto.Types.DataType to, string? output = null) =>
        Node("Cast", [value], output, IntAttribute("to", (long)to));

    /// <summary>[n] → [n, 1], to broadcast a per-row value over the movie axis.</summary>
    public string Column(string value) => Node("Unsqueeze", [value, Int64s("axes_1", 1)]);

    /// <summary>
    /// The dot product of matching rows of two [n, k] values: [n]. The axis is spelled 1, not −1: ONNX Runtime 1.31's
    /// ReduceSum leaves an empty [0, k] input unreduced when the axis is negative.
    /// </summary>
    public string RowDot(string a, string b) =>
        Node("ReduceSum", [Mul(a, b), Int64s("axes_1", 1)], null, IntAttribute("keepdims", 0));

    /// <summary>
    /// pair_scores from a [batch, movies] scores value: scores[row[p], movie[p]] for each pair p (GatherND over the
    /// stacked indices). For models that compute every movie of a user anyway (autoencoders).
    /// </summary>
    public string GatherPairs(string scores, string rows, string movies, string? output = null)
    {
        string indices = Node("Concat", [Column(rows), Column(movies)], null, IntAttribute("axis", 1));
        return Node("GatherND", [scores, indices], output);
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public GraphProto Build() => _graph.Clone();

    private string AddInitializer(string name, TensorProto.Types.DataType type, IReadOnlyList<long> shape, ReadOnlySpan<byte> raw)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; exporting on a big-endian machine is not supported");
        }

        var tensor = new TensorProto { Name = Claim(name), DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(raw.ToArray()) };
        tensor.Dims.AddRange(shape);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, OnnxDim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.AddRange(shape.Select(d => d.IsDynamic
            ? new TensorShapeProto.Types.Dimension { DimParam = d.Symbol }
            : new TensorShapeProto.Types.Dimension { DimValue = d.Size }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }

    private string Claim(string name)
    {
        if (string.IsNullOrEmpty(name) || !_names.Add(name))
        {
            throw new ArgumentException($"graph value '{name}' is empty or defined twice", nameof(name));
        }

        return name;
    }

    private string Unique(string hint)
    {
        string name;
        do
        {
            name = $"{hint}_{_next++}";
        }
        while (_names.Contains(name));

        return name;
    }
}
