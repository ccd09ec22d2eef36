using System.Globalization;
using System.Reflection;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Implemented by <see cref="VBuffer{T}"/> so boxed vectors can be copied to arrays without knowing T.</summary>
internal interface IVectorValue
{
    Array ToUntypedArray();
}

/// <summary>Conversions between boxed canonical values (each column's raw type) and what users pass or ask for.</summary>
internal static class ValueConversion
{
    private static readonly MethodInfo BoxedGetterMethod = typeof(ValueConversion).GetMethod(nameof(BoxedGetterOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Reads a boxed canonical value as <typeparamref name="T"/> (raw type, string for text, array for vectors).</summary>
    public static Func<object?, T> GetReader<T>(DataViewSchema.Column column)
    {
        var type = column.Type;
        if (typeof(T) == type.RawType) return v => v is null ? default! : (T)v;
        if (type is TextDataViewType && typeof(T) == typeof(string))
            return v => (T)(object)(v is ReadOnlyMemory<char> m ? m.ToString() : string.Empty);
        if (type is VectorDataViewType vt && typeof(T).IsArray && typeof(T).GetElementType() == vt.ItemType.RawType)
            return v => v is IVectorValue vec ? (T)(object)vec.ToUntypedArray() : (T)(object)Array.CreateInstance(vt.ItemType.RawType, 0);
        throw new InvalidOperationException(
            $"Column '{column.Name}' has type {type} (values are {Describe(type.RawType)}); it cannot be read as {Describe(typeof(T))}.");
    }

    /// <summary>
    /// Converts a user-supplied value to the canonical boxed value of <paramref name="type"/>: strings become
    /// <see cref="ReadOnlyMemory{T}"/>, arrays become <see cref="VBuffer{T}"/>, null becomes the type's empty value.
    /// </summary>
    public static object ToCanonical(object? value, DataViewType type, string columnName)
    {
        switch (type)
        {
            case TextDataViewType:
                return value switch
                {
                    null => ReadOnlyMemory<char>.Empty,
                    ReadOnlyMemory<char> m => m,
                    string s => s.AsMemory(),
                    _ => throw Mismatch(value, type, columnName),
                };
            case VectorDataViewType vt:
                if (value is null) return EmptyVector(vt.ItemType.RawType);
                if (value.GetType() == type.RawType) return value;
                if (value is Array a && a.GetType().GetElementType() == vt.ItemType.RawType)
                {
                    var copy = (Array)a.Clone();
                    return Activator.CreateInstance(type.RawType, copy.Length, copy)!;
                }

                throw Mismatch(value, type, columnName);
            default:
                if (value is null)
                    return type.RawType == typeof(float) ? float.NaN : type.RawType == typeof(double) ? double.NaN : Activator.CreateInstance(type.RawType)!;
                if (value.GetType() == type.RawType) return value;
                throw Mismatch(value, type, columnName);
        }
    }

    /// <summary>A function returning the current value of <paramref name="column"/> of <paramref name="row"/>, boxed.</summary>
    public static Func<object?> BoxedGetter(DataViewRow row, DataViewSchema.Column column) =>
        (Func<object?>)BoxedGetterMethod.MakeGenericMethod(column.Type.RawType).Invoke(null, [row, column])!;

    private static Func<object?> BoxedGetterOf<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value;
        };
    }

    /// <summary>Parses a field of text as <paramref name="kind"/>; false when it is not a valid value.</summary>
    public static bool TryParse(string field, DataKind kind, out object value)
    {
        var inv = CultureInfo.InvariantCulture;
        string s = field.Trim();
        bool ok;
        switch (kind)
        {
            case DataKind.String:
                value = field.AsMemory();
                return true;
            case DataKind.Single:
                ok = float.TryParse(s, NumberStyles.Float, inv, out float f) || TryMissing(s, out f);
                value = f;
                return ok;
            case DataKind.Double:
                ok = double.TryParse(s, NumberStyles.Float, inv, out double d) || TryMissing(s, out d);
                value = d;
                return ok;
            case DataKind.Int32:
                ok = int.TryParse(s, NumberStyles.Integer, inv, out int i);
                value = i;
                return ok;
            case DataKind.Int64:
                ok = long.TryParse(s, NumberStyles.Integer, inv, out long l);
                value = l;
                return ok;
            case DataKind.Boolean:
                ok = TryParseBoolean(s, out bool b);
                value = b;
                return ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The column type of a <see cref="DataKind"/>.</summary>
    public static DataViewType ToType(DataKind kind) => kind switch
    {
        DataKind.String => TextDataViewType.Instance,
        DataKind.Single => NumberDataViewType.Single,
        DataKind.Double => NumberDataViewType.Double,
        DataKind.Int32 => NumberDataViewType.Int32,
        DataKind.Int64 => NumberDataViewType.Int64,
        DataKind.Boolean => BooleanDataViewType.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>true/false/1/0/yes/no, case-insensitive.</summary>
    public static bool TryParseBoolean(string s, out bool value)
    {
        switch (s.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES":
                value = true;
                return true;
            case "FALSE" or "0" or "NO":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static bool TryMissing<T>(string s, out T value) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        // Empty and "?" are ML.NET's spellings of a missing float: NaN.
        value = T.NaN;
        return s.Length == 0 || s == "?";
    }

    private static object EmptyVector(Type itemType) => Activator.CreateInstance(typeof(VBuffer<>).MakeGenericType(itemType), 0, Array.CreateInstance(itemType, 0))!;

    private static InvalidOperationException Mismatch(object value, DataViewType type, string columnName) =>
        new($"Column '{columnName}' has type {type}; a value of type {Describe(value.GetType())} does not fit.");

    internal static string Describe(Type t) =>
        t == typeof(ReadOnlyMemory<char>) ? "ReadOnlyMemory<char>" :
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", t.GetGenericArguments().Select(Describe))}>" : t.Name;
}
