using System.Globalization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// The classes of a classifier. Binary: class 0 = false, class 1 = true (named "0" and "1"). Multiclass: one class per
/// key value of the Key&lt;UInt32, K&gt; label (key k is class k − 1), named by the label's <c>KeyValues</c> annotation,
/// whose values (of any primitive type: text from <c>MapValueToKey</c> over text, numbers over numbers) are kept so the
/// predicted key maps back with <c>MapKeyToValue</c>.
/// </summary>
internal sealed class ClassLabels
{
    private ClassLabels(bool binary, IReadOnlyList<string> names, string? keyValueType)
    {
        IsBinary = binary;
        Names = names;
        KeyValueType = keyValueType;
    }

    /// <summary>True for a binary classifier.</summary>
    public bool IsBinary { get; }

    /// <summary>Class names in class order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The raw type name of the label's key values (String, Single, Double, Int32, Int64, UInt32, Boolean), or null when it had none.</summary>
    public string? KeyValueType { get; }

    /// <summary>Number of classes.</summary>
    public int Count => Names.Count;

    /// <summary>The binary classes.</summary>
    public static ClassLabels Binary { get; } = new(true, ["0", "1"], null);

    /// <summary>Restores saved classes.</summary>
    public static ClassLabels Restore(bool binary, IReadOnlyList<string> names, string? keyValueType) =>
        binary ? Binary : new ClassLabels(false, names, keyValueType);

    /// <summary>The classes of a multiclass key label column (its type checked by <see cref="ClassifierSchema"/>).</summary>
    public static ClassLabels FromKeyColumn(DataViewSchema.Column label)
    {
        int count = checked((int)((KeyDataViewType)label.Type).Count);
        var kv = label.Annotations.Schema.GetColumnOrNull(AnnotationNames.KeyValues);
        if (kv is null || kv.Value.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType item })
            return new ClassLabels(false, [.. Enumerable.Range(1, count).Select(k => k.ToString(CultureInfo.InvariantCulture))], null);
        var names = item.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Values<ReadOnlyMemory<char>>(label, v => v.ToString()),
            var t when t == typeof(float) => Values<float>(label, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Values<double>(label, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Values<int>(label, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Values<long>(label, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Values<uint>(label, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Values<bool>(label, v => v ? "true" : "false"),
            _ => throw new ArgumentException($"Label column '{label.Name}' has key values of type {item}; use text or number key values (MapValueToKey over a text or number column)."),
        };
        if (names.Length != count) throw new ArgumentException($"Label column '{label.Name}' is a key of {count} values but has {names.Length} key values.");
        return new ClassLabels(false, names, item.RawType == typeof(ReadOnlyMemory<char>) ? "String" : item.RawType.Name);
    }

    private static string[] Values<T>(DataViewSchema.Column column, Func<T, string> name)
    {
        VBuffer<T> buffer = default;
        column.Annotations.GetValue(AnnotationNames.KeyValues, ref buffer);
        return [.. buffer.DenseValues().Select(name)];
    }

    /// <summary>The KeyValues annotation of the predicted label (the label's, rebuilt from the saved names), or null when the label had none.</summary>
    public void AddKeyValues(DataViewSchema.Annotations.Builder builder)
    {
        int k = Count;
        var inv = CultureInfo.InvariantCulture;
        switch (KeyValueType)
        {
            case null: return;
            case "String": Add(TextDataViewType.Instance, n => n.AsMemory()); break;
            case "Single": Add(NumberDataViewType.Single, n => float.Parse(n, inv)); break;
            case "Double": Add(NumberDataViewType.Double, n => double.Parse(n, inv)); break;
            case "Int32": Add(NumberDataViewType.Int32, n => int.Parse(n, inv)); break;
            case "Int64": Add(NumberDataViewType.Int64, n => long.Parse(n, inv)); break;
            case "UInt32": Add(NumberDataViewType.UInt32, n => uint.Parse(n, inv)); break;
            case "Boolean": Add(BooleanDataViewType.Instance, n => n == "true"); break;
            default: throw new InvalidDataException($"Unknown key value type '{KeyValueType}'.");
        }

        void Add<T>(PrimitiveDataViewType type, Func<string, T> parse)
        {
            var values = Names.Select(parse).ToArray();
            builder.Add(AnnotationNames.KeyValues, new VectorDataViewType(type, k), (ref VBuffer<T> dst) => dst = new VBuffer<T>(k, values));
        }
    }
}

/// <summary>ML.NET's annotation names (its AnnotationUtils is internal).</summary>
internal static class AnnotationNames
{
    public const string SlotNames = "SlotNames";
    public const string KeyValues = "KeyValues";
    public const string ScoreColumnKind = "ScoreColumnKind";
    public const string ScoreValueKind = "ScoreValueKind";
    public const string IsNormalized = "IsNormalized";
    public const string TrainingLabelValues = "TrainingLabelValues";
}
