using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Loads JSON lines (one object per line, as CLUE's files) into a lazily read <see cref="FileDataView"/>. Each
/// column reads the first of its keys present in the object; text columns take strings as they are and other
/// values as their JSON text (so <c>"label": 1</c> and <c>"label": "1"</c> both give "1"). Invalid JSON, a line
/// that is not an object, a missing required key and a value that is not a valid number are malformed rows.
/// </summary>
public sealed class JsonLinesLoader
{
    private readonly Options _options;

    /// <summary>A loader with <paramref name="options"/>.</summary>
    public JsonLinesLoader(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Skips or rewrites a parsed row; returns the skip reason, or null to keep it. Used by the task formats.</summary>
    internal Func<object?[], string?>? RowHook { get; init; }

    /// <summary>The task format reported by loaded views.</summary>
    internal TaskFormat? Format { get; init; }

    /// <summary>
    /// A view over <paramref name="path"/>. Without columns in the options, the first object's keys become the
    /// columns (strings, null, objects and arrays as text; numbers as Single; true/false as Boolean).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public FileDataView Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        var columns = _options.Columns is { Length: > 0 } given ? given : InferColumns(path);
        var b = new DataViewSchema.Builder();
        foreach (var c in columns) b.AddColumn(c.Name, ValueConversion.ToType(c.DataKind));
        return new FileDataView(path, b.ToSchema(), (_, counter) => Rows(path, columns, counter), Format);
    }

    private static Column[] InferColumns(string path)
    {
        using var reader = Open(path);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(path, line, "invalid JSON: " + e.Message);
            }

            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, line, "expected a JSON object");
                return doc.RootElement.EnumerateObject().Select(p => new Column(p.Name, p.Value.ValueKind switch
                {
                    JsonValueKind.Number => DataKind.Single,
                    JsonValueKind.True or JsonValueKind.False => DataKind.Boolean,
                    _ => DataKind.String,
                }, p.Name)).ToArray();
            }
        }

        throw new DataFormatException(path, line, "the file has no JSON object to infer columns from");
    }

    private IEnumerable<object?[]> Rows(string path, Column[] columns, LoadCounter counter)
    {
        using var reader = Open(path);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var row = new object?[columns.Length];
            string? problem = Parse(text, columns, row, out string category);
            if (problem is not null)
            {
                if (_options.OnMalformedRow == MalformedRowHandling.Throw) throw new DataFormatException(path, line, problem);
                counter.Skip(category, line, problem);
                continue;
            }

            if (RowHook?.Invoke(row) is { } reason)
            {
                counter.Skip(reason, line, reason);
                continue;
            }

            yield return row;
        }
    }

    private static string? Parse(string text, Column[] columns, object?[] row, out string category)
    {
        category = "invalid JSON";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return "invalid JSON: " + e.Message;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return $"expected a JSON object, found {root.ValueKind}";
            for (int c = 0; c < columns.Length; c++)
            {
                var col = columns[c];
                JsonElement value = default;
                bool found = false;
                foreach (var key in col.Keys)
                    if (root.TryGetProperty(key, out value))
                    {
                        found = true;
                        break;
                    }

                if (!found)
                {
                    category = "missing key";
                    if (col.Required) return $"missing key {string.Join(" or ", col.Keys.Select(k => $"\"{k}\""))} for column '{col.Name}'";
                    row[c] = ValueConversion.ToCanonical(null, ValueConversion.ToType(col.DataKind), col.Name);
                    continue;
                }

                string raw = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => value.GetRawText(),
                };
                if (!ValueConversion.TryParse(raw, col.DataKind, out var parsed))
                {
                    category = "bad value";
                    return string.Create(CultureInfo.InvariantCulture, $"column '{col.Name}' (key \"{col.Keys[0]}\"): cannot parse {value.GetRawText()} as {col.DataKind}");
                }

                row[c] = parsed;
            }
        }

        return null;
    }

    private static StreamReader Open(string path) => new(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>Settings of a <see cref="JsonLinesLoader"/>.</summary>
    public sealed class Options
    {
        /// <summary>The columns to load; null or empty infers them from the first object.</summary>
        public Column[]? Columns { get; set; }

        /// <summary>What to do with a malformed row. Default: <see cref="MalformedRowHandling.Throw"/>.</summary>
        public MalformedRowHandling OnMalformedRow { get; set; } = MalformedRowHandling.Throw;
    }

    /// <summary>A column read from the first present of its <see cref="Keys"/>.</summary>
    public sealed class Column
    {
        /// <summary>Column <paramref name="name"/> of <paramref name="dataKind"/> read from the first present key of <paramref name="keys"/> (default: the name).</summary>
        public Column(string name, DataKind dataKind, params string[] keys)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(keys);
            Name = name;
            DataKind = dataKind;
            Keys = keys.Length == 0 ? [name] : keys;
        }

        /// <summary>The column name in the view.</summary>
        public string Name { get; }

        /// <summary>The type of the values.</summary>
        public DataKind DataKind { get; }

        /// <summary>The JSON keys tried in order.</summary>
        public IReadOnlyList<string> Keys { get; }

        /// <summary>True when an object lacking every key is malformed; false gives the empty value (empty text, NaN, 0, false). Default: false.</summary>
        public bool Required { get; init; }
    }
}
