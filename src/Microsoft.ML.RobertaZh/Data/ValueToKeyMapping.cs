using System.Globalization;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>The order of a learned key dictionary.</summary>
public enum KeyOrdinality
{
    /// <summary>Keys in the order values first occur in the training data.</summary>
    ByOccurrence,

    /// <summary>Keys in ordinal (string) order of the values.</summary>
    ByValue,
}

/// <summary>Learns a value → key dictionary (ML.NET's <c>ValueToKeyMappingEstimator</c>), for example for labels given as text.</summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly string _output;
    private readonly string _input;
    private readonly KeyOrdinality _ordinality;

    internal ValueToKeyMappingEstimator(string outputColumnName, string inputColumnName, KeyOrdinality ordinality)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _output = outputColumnName;
        _input = inputColumnName;
        _ordinality = ordinality;
    }

    /// <summary>Reads the input column once and builds the dictionary.</summary>
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema[_input];
        CheckType(column.Name, column.Type);
        var seen = new List<string>();
        var set = new HashSet<string>(StringComparer.Ordinal);
        using (var cursor = input.GetRowCursor([column]))
        {
            var get = ValueConversion.BoxedGetter(cursor, column);
            while (cursor.MoveNext())
            {
                string value = ValueToKeyMappingTransformer.AsText(get());
                if (value.Length > 0 && set.Add(value)) seen.Add(value);
            }
        }

        if (seen.Count == 0) throw new InvalidOperationException($"MapValueToKey: column '{_input}' has no non-empty values to learn keys from.");
        if (_ordinality == KeyOrdinality.ByValue) seen.Sort(StringComparer.Ordinal);
        return new ValueToKeyMappingTransformer(_output, _input, seen);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.GetColumn(_input);
        if (c.IsVector) throw new ArgumentException($"MapValueToKey: column '{_input}' is a vector; a scalar is needed.", nameof(inputSchema));
        CheckType(c.Name, c.ItemType);
        return inputSchema.With(new SchemaShape.Column(_output, SchemaShape.VectorKind.Scalar, NumberDataViewType.UInt32, IsKey: true));
    }

    private static void CheckType(string name, DataViewType type)
    {
        if (type is VectorDataViewType)
            throw new ArgumentException($"MapValueToKey: column '{name}' is a vector ({type}); a scalar is needed.");
    }
}

/// <summary>
/// Maps values to keys with a learned dictionary: key k (1-based) stands for <see cref="KeyValues"/>[k − 1]; an
/// unseen or empty value maps to 0 (missing). The output column carries the key values as annotations.
/// </summary>
public sealed class ValueToKeyMappingTransformer : ITransformer
{
    private readonly Dictionary<string, uint> _keys;

    internal ValueToKeyMappingTransformer(string outputColumnName, string inputColumnName, IReadOnlyList<string> keyValues)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        KeyValues = keyValues;
        _keys = new Dictionary<string, uint>(StringComparer.Ordinal);
        for (int i = 0; i < keyValues.Count; i++) _keys[keyValues[i]] = (uint)(i + 1);
    }

    /// <summary>The key column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The value column.</summary>
    public string InputColumnName { get; }

    /// <summary>The values, in key order (key 1 first).</summary>
    public IReadOnlyList<string> KeyValues { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <summary>The key of <paramref name="value"/>, 0 when unseen.</summary>
    public uint GetKey(string value) => _keys.GetValueOrDefault(value ?? string.Empty);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _ = inputSchema[InputColumnName];
        return new DataViewSchema.Builder().AddColumns(inputSchema).AddColumn(OutputColumnName, KeyType, KeyAnnotations).ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, [InputColumnName], [(OutputColumnName, KeyType, KeyAnnotations)],
            (inputs, outputs) =>
            {
                for (int r = 0; r < inputs.Count; r++) outputs[r][0] = GetKey(AsText(inputs[r][0]));
            }, batchSize: 256);
    }

    private KeyDataViewType KeyType => new((ulong)KeyValues.Count);

    private DataViewSchema.Annotations KeyAnnotations => new(KeyValues: KeyValues);

    internal static string AsText(object? value) => value switch
    {
        null => string.Empty,
        ReadOnlyMemory<char> m => m.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
