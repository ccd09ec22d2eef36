using System.Globalization;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>
/// Appends nodes, initializers, inputs and outputs to an ONNX <see cref="GraphProto"/> (OnnxSharp's generated protobuf
/// types). Every node gets a unique name and a fresh output name unless one is given, so graph code reads as a list of
/// operations: <c>var y = g.Node("MatMul", x, w);</c>.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _initializerNames = new(StringComparer.Ordinal);

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; } = new() { Name = "bert" };

    /// <summary>The float initializers added so far, with their data, in graph order (for external-data writing).</summary>
    public List<(TensorProto Tensor, ReadOnlyMemory<float> Data)> FloatInitializers { get; } = [];

    /// <summary>Contrib-op domains the graph uses (for the model's opset imports).</summary>
    public HashSet<string> Domains { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a node; returns the name of its (first) output.</summary>
    public string Node(string opType, params string[] inputs) => Node(opType, inputs, [], domain: "").Single();

    /// <summary>Adds a node with attributes; returns the name of its (first) output.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes) => Node(opType, inputs, attributes, domain: "").Single();

    /// <summary>
    /// Adds a node of <paramref name="domain"/> (empty = the ONNX domain) with <paramref name="outputCount"/> outputs,
    /// or with the given <paramref name="outputs"/> names; returns the output names.
    /// </summary>
    public IReadOnlyList<string> Node(string opType, string[] inputs, AttributeProto[] attributes, string domain, int outputCount = 1, string[]? outputs = null)
    {
        string name = Unique(opType);
        var node = new NodeProto { OpType = opType, Name = name, Domain = domain };
        node.Input.AddRange(inputs);
        outputs ??= [.. Enumerable.Range(0, outputCount).Select(i => outputCount == 1 ? name + "_output" : $"{name}_output_{i}")];
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        if (domain.Length > 0) Domains.Add(domain);
        Graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Whether an initializer called <paramref name="name"/> exists.</summary>
    public bool HasInitializer(string name) => _initializerNames.Contains(name);

    /// <summary>
    /// Adds a float initializer whose bytes are <paramref name="data"/> itself (no copy is made; the array must not
    /// change until the model is written).
    /// </summary>
    public string Initializer(string name, ReadOnlyMemory<float> data, params long[] dims)
    {
        long count = 1;
        foreach (long d in dims) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"Initializer '{name}': {data.Length} values for shape [{string.Join(", ", dims)}].", nameof(data));
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = FloatBytes.Wrap(data) };
        tensor.Dims.AddRange(dims);
        if (!_initializerNames.Add(name)) throw new InvalidOperationException($"Initializer '{name}' is added twice.");
        Graph.Initializer.Add(tensor);
        FloatInitializers.Add((tensor, data));
        return name;
    }

    /// <summary>A 1-D int64 constant (shared when the same values are asked for again).</summary>
    public string Int64s(params long[] values) => Constant(DataType.Int64, values.Length, values, null, "const_i64", [values.Length]);

    /// <summary>A 0-D (scalar) int64 constant.</summary>
    public string Int64Scalar(long value) => Constant(DataType.Int64, 1, [value], null, "const_i64_scalar", []);

    /// <summary>A 0-D (scalar) float constant.</summary>
    public string FloatScalar(float value) => Constant(DataType.Float, 1, null, [value], "const_f32", []);

    private string Constant(DataType type, int count, long[]? longs, float[]? floats, string prefix, long[] dims)
    {
        string key = $"{type}:{string.Join(",", dims)}:" + (longs is not null
            ? string.Join(",", longs)
            : string.Join(",", floats!.Select(f => BitConverter.SingleToInt32Bits(f).ToString(CultureInfo.InvariantCulture))));
        if (_constants.TryGetValue(key, out var existing)) return existing;
        string name = Unique(prefix);
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        if (longs is not null) tensor.Int64Data.AddRange(longs);
        else tensor.FloatData.AddRange(floats!);
        System.Diagnostics.Debug.Assert(count == (longs?.Length ?? floats!.Length));
        _initializerNames.Add(name);
        Graph.Initializer.Add(tensor);
        _constants.Add(key, name);
        return name;
    }

    /// <summary>Declares a graph input of element type <paramref name="type"/>; a string dimension is symbolic (dynamic).</summary>
    public void Input(string name, DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(name, type, dims));

    /// <summary>Declares a graph output of element type <paramref name="type"/>; a string dimension is symbolic (dynamic).</summary>
    public void Output(string name, DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"Dimension {d} of '{name}' is neither a symbol nor a size.", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private string Unique(string prefix)
    {
        int n = _counters.GetValueOrDefault(prefix);
        _counters[prefix] = n + 1;
        return n == 0 ? prefix : $"{prefix}_{n}";
    }

    /// <summary>An int attribute.</summary>
    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Attr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A string attribute.</summary>
    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
