using System.Globalization;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// The classes of a classifier: the distinct values of its label column in sorted order (numeric order for numbers,
/// false before true, key order for keys, ordinal order for text), each with a name for config.json's id2label.
/// Missing labels (empty text, NaN, key 0) are not classes.
/// </summary>
internal sealed class LabelMap
{
    private readonly Dictionary<string, int> _index;

    private LabelMap(DataViewType type, IReadOnlyList<string> names, IReadOnlyList<string>? keyValues)
    {
        Type = type;
        Names = names;
        KeyValues = keyValues;
        _index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>The label column's type, which the predicted-label column takes.</summary>
    public DataViewType Type { get; }

    /// <summary>Class names in class order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>For key labels, the names of every key value (key 1 is item 0), when the column had them.</summary>
    public IReadOnlyList<string>? KeyValues { get; }

    /// <summary>Number of classes.</summary>
    public int Count => Names.Count;

    /// <summary>The persisted name of a label type: String, Single, Double, Int32, Int64, UInt32, Boolean or Key.</summary>
    public string TypeName => Type switch
    {
        TextDataViewType => "String",
        BooleanDataViewType => "Boolean",
        KeyDataViewType => "Key",
        _ => Type.ToString() ?? "",
    };

    /// <summary>True when a label column of <paramref name="type"/> can be mapped to classes.</summary>
    public static bool IsSupported(DataViewType type) => type is TextDataViewType or BooleanDataViewType or KeyDataViewType or NumberDataViewType;

    /// <summary>The classes found among <paramref name="values"/> (boxed canonical values of a column of <paramref name="type"/>).</summary>
    public static LabelMap Build(DataViewType type, IEnumerable<object?> values, IReadOnlyList<string>? keyValues = null)
    {
        if (!IsSupported(type)) throw new ArgumentException($"Labels of type {type} are not supported (use text, a number, a Boolean or a key).", nameof(type));
        var distinct = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            if (IsMissing(v)) continue;
            string name = NameOf(type, v!, keyValues);
            if (!distinct.ContainsKey(name)) distinct[name] = SortKey(v!);
        }
        var ordered = type is TextDataViewType
            ? distinct.Keys.Order(StringComparer.Ordinal)
            : distinct.OrderBy(kv => kv.Value).Select(kv => kv.Key);
        return new LabelMap(type, [.. ordered], keyValues);
    }

    /// <summary>Restores a map saved as <see cref="TypeName"/> and class names.</summary>
    public static LabelMap FromNames(string typeName, IReadOnlyList<string> names, ulong? keyCount = null, IReadOnlyList<string>? keyValues = null)
    {
        DataViewType type = typeName switch
        {
            "String" => TextDataViewType.Instance,
            "Boolean" => BooleanDataViewType.Instance,
            "Single" => NumberDataViewType.Single,
            "Double" => NumberDataViewType.Double,
            "Int32" => NumberDataViewType.Int32,
            "Int64" => NumberDataViewType.Int64,
            "UInt32" => NumberDataViewType.UInt32,
            "Key" => new KeyDataViewType(keyCount ?? (ulong)Math.Max(1, names.Count)),
            _ => throw new InvalidDataException($"Unknown label type '{typeName}'."),
        };
        return new LabelMap(type, names, keyValues);
    }

    /// <summary>The class index of a label value, or -1 when it is missing.</summary>
    /// <exception cref="ArgumentException">The value is not one of the classes.</exception>
    public int IndexOf(object? value)
    {
        if (IsMissing(value)) return -1;
        string name = NameOf(Type, value!, KeyValues);
        return _index.TryGetValue(name, out int i) ? i
            : throw new ArgumentException($"Label '{name}' is not one of the classes seen in training: {string.Join(", ", Names)}.");
    }

    /// <summary>The label value of class <paramref name="index"/>, boxed as the label column's raw type.</summary>
    public object ValueOf(int index)
    {
        string name = Names[index];
        var inv = CultureInfo.InvariantCulture;
        return Type switch
        {
            TextDataViewType => name.AsMemory(),
            BooleanDataViewType => name == "true",
            KeyDataViewType => KeyOf(name),
            _ when Type == NumberDataViewType.Single => float.Parse(name, inv),
            _ when Type == NumberDataViewType.Double => double.Parse(name, inv),
            _ when Type == NumberDataViewType.Int32 => int.Parse(name, inv),
            _ when Type == NumberDataViewType.Int64 => long.Parse(name, inv),
            _ => (object)uint.Parse(name, inv),
        };
    }

    private uint KeyOf(string name)
    {
        if (KeyValues is not null)
        {
            int i = KeyValues.ToList().IndexOf(name);
            if (i >= 0) return (uint)(i + 1);
        }
        return uint.Parse(name, CultureInfo.InvariantCulture);
    }

    /// <summary>True for the missing value of each type: null, empty text, NaN, key 0.</summary>
    public static bool IsMissing(object? value) => value switch
    {
        null => true,
        ReadOnlyMemory<char> m => m.Span.Trim().IsEmpty,
        string s => string.IsNullOrWhiteSpace(s),
        float f => float.IsNaN(f),
        double d => double.IsNaN(d),
        _ => false,
    };

    private static string NameOf(DataViewType type, object value, IReadOnlyList<string>? keyValues)
    {
        var inv = CultureInfo.InvariantCulture;
        return value switch
        {
            ReadOnlyMemory<char> m => m.ToString().Trim(),
            string s => s.Trim(),
            bool b => b ? "true" : "false",
            uint k when type is KeyDataViewType => keyValues is not null && k - 1 < keyValues.Count ? keyValues[(int)k - 1] : k.ToString(inv),
            float f => f.ToString("R", inv),
            double d => d.ToString("R", inv),
            IFormattable n => n.ToString(null, inv),
            _ => throw new ArgumentException($"A label of type {value.GetType().Name} is not supported."),
        };
    }

    private static double SortKey(object value) => value switch
    {
        bool b => b ? 1 : 0,
        float f => f,
        double d => d,
        int i => i,
        long l => l,
        uint u => u,
        _ => 0,
    };
}
