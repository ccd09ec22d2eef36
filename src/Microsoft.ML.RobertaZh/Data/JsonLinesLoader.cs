using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Loads JSON lines (one object per line, as CLUE's files) into a <see cref="FileDataView"/>. Each column reads the
/// first of its keys present in the object; text columns take strings as they are and other values as their JSON text
/// (so <c>"label": 1</c> and <c>"label": "1"</c> both give "1"). Invalid JSON, invalid UTF-8, a line that is not an
/// object, a missing required key and a value that does not parse are malformed rows. Reached as
/// <c>mlContext.Data.LoadFromJsonLines(path)</c>.
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

    /// <summary>Checks the kept rows after the validating pass (the task formats' label audit).</summary>
    internal Func<List<SourceRow>, LoadCounter, IEnumerable<long>>? Audit { get; init; }

    /// <summary>
    /// A view over <paramref name="path"/>. Without columns in the options, the first object's keys become the
    /// columns (strings, null, objects and arrays as text; numbers as Single; true/false as Boolean).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A malformed row, when they are not skipped.</exception>
    public FileDataView Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        var columns = _options.Columns is { Length: > 0 } given ? given : InferColumns(path);
        var b = new DataViewSchema.Builder();
        foreach (var c in columns) b.AddColumn(c.Name, FieldParser.TypeOf(c.DataKind));
        return new FileDataView(path, b.ToSchema(), counter => Rows(path, columns, counter), Format, Audit);
    }

    private static Column[] InferColumns(string path)
    {
        using var reader = new Utf8LineReader(path);
        while (reader.TryRead(out var line))
        {
            if (line.Error is not null) throw new DataFormatException(path, line.Number, line.Error);
            if (string.IsNullOrWhiteSpace(line.Text)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line.Text);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(path, line.Number, "invalid JSON: " + e.Message);
            }

            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, line.Number, "expected a JSON object");
                return [.. doc.RootElement.EnumerateObject().Select(p => new Column(p.Name, p.Value.ValueKind switch
                {
                    JsonValueKind.Number => DataKind.Single,
                    JsonValueKind.True or JsonValueKind.False => DataKind.Boolean,
                    _ => DataKind.String,
                }, p.Name))];
            }
        }

        throw new DataFormatException(path, 1, "the file has no JSON object to infer columns from");
    }

    private IEnumerable<SourceRow> Rows(string path, Column[] columns, LoadCounter? counter)
    {
        using var reader = new Utf8LineReader(path);
        while (reader.TryRead(out var line))
        {
            var row = new object?[columns.Length];
            string category = "invalid UTF-8";
            string? problem = line.Error;
            if (problem is null)
            {
                if (string.IsNullOrWhiteSpace(line.Text)) continue;
                problem = Parse(line.Text, columns, row, out category);
            }

            if (problem is not null)
            {
                if (_options.OnMalformedRow == MalformedRowHandling.Throw) throw new DataFormatException(path, line.Number, problem);
                counter?.Skip(category, line.Number, problem);
                continue;
            }

            if (RowHook?.Invoke(row) is { } reason)
            {
                counter?.Skip(reason, line.Number, reason);
                continue;
            }

            yield return new SourceRow(line.Number, row);
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
                {
                    if (root.TryGetProperty(key, out value))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    category = "missing key";
                    if (col.Required) return $"missing key {string.Join(" or ", col.Keys.Select(k => $"\"{k}\""))} for column '{col.Name}'";
                    row[c] = FieldParser.Empty(col.DataKind);
                    continue;
                }

                string raw = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => value.GetRawText(),
                };
                if (!FieldParser.TryParse(raw, col.DataKind, out var parsed))
                {
                    category = "bad value";
                    return string.Create(CultureInfo.InvariantCulture, $"column '{col.Name}' (key \"{col.Keys[0]}\"): cannot parse {value.GetRawText()} as {col.DataKind}");
                }

                row[c] = parsed;
            }
        }

        return null;
    }

    /// <summary>Settings of a <see cref="JsonLinesLoader"/>.</summary>
    public sealed class Options
    {
        /// <summary>The columns to load; null or empty infers them from the first object.</summary>
        public Column[]? Columns { get; set; }

        /// <summary>What to do with a malformed row (including invalid UTF-8). Default: <see cref="MalformedRowHandling.Throw"/>.</summary>
        public MalformedRowHandling OnMalformedRow { get; set; } = MalformedRowHandling.Throw;
    }

    /// <summary>A column read from the first present of its <see cref="Keys"/>.</summary>
    public sealed class Column
    {
        /// <summary>Column <paramref name="name"/> of <paramref name="dataKind"/> (String, Single, Double, Int32, Int64 or Boolean) read from the first present key of <paramref name="keys"/> (default: the name).</summary>
        public Column(string name, DataKind dataKind, params string[] keys)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(keys);
            _ = FieldParser.TypeOf(dataKind);
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
