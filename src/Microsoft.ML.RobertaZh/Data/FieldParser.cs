using System.Globalization;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Parses a field of text into the canonical value of an ML.NET <see cref="DataKind"/> (the kinds the loaders offer).</summary>
internal static class FieldParser
{
    /// <summary>The column type of <paramref name="kind"/>.</summary>
    public static DataViewType TypeOf(DataKind kind) => kind switch
    {
        DataKind.String => TextDataViewType.Instance,
        DataKind.Single => NumberDataViewType.Single,
        DataKind.Double => NumberDataViewType.Double,
        DataKind.Int32 => NumberDataViewType.Int32,
        DataKind.Int64 => NumberDataViewType.Int64,
        DataKind.Boolean => BooleanDataViewType.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "the loaders read String, Single, Double, Int32, Int64 or Boolean."),
    };

    /// <summary>The value of a missing field: empty text, NaN, 0 or false.</summary>
    public static object Empty(DataKind kind) => kind switch
    {
        DataKind.String => ReadOnlyMemory<char>.Empty,
        DataKind.Single => float.NaN,
        DataKind.Double => double.NaN,
        DataKind.Int32 => 0,
        DataKind.Int64 => 0L,
        DataKind.Boolean => false,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses <paramref name="field"/> as <paramref name="kind"/>; false when it is not a valid value.</summary>
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
                ok = float.TryParse(s, NumberStyles.Float, inv, out float f) || s.Length == 0 || s == "?";
                value = ok && (s.Length == 0 || s == "?") ? float.NaN : f;
                return ok;
            case DataKind.Double:
                ok = double.TryParse(s, NumberStyles.Float, inv, out double d) || s.Length == 0 || s == "?";
                value = ok && (s.Length == 0 || s == "?") ? double.NaN : d;
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
                (ok, value) = s.ToUpperInvariant() switch
                {
                    "TRUE" or "1" or "YES" => (true, (object)true),
                    "FALSE" or "0" or "NO" => (true, false),
                    _ => (false, false),
                };
                return ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
