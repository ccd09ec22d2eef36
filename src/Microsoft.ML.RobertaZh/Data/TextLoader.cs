using System.Text;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// Loads delimited text (TSV, CSV) into a lazily read <see cref="FileDataView"/>, as ML.NET's <c>TextLoader</c>:
/// separators, an optional header, quoting and a column mapping (by field index or header name, with a type).
/// Every row must have the header's field count (or, without a header and without columns, the first row's);
/// a row with the wrong count, an unterminated quote or a value that does not parse is malformed.
/// </summary>
public sealed class TextLoader
{
    private readonly Options _options;

    /// <summary>A loader with <paramref name="options"/>.</summary>
    public TextLoader(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Separators is not { Length: > 0 }) throw new ArgumentException("At least one separator is needed.", nameof(options));
        _options = options;
    }

    /// <summary>Skips or rewrites a parsed row; returns the skip reason, or null to keep it. Used by the task formats.</summary>
    internal Func<IReadOnlyList<string>, object?[], string?>? RowHook { get; init; }

    /// <summary>The task format reported by loaded views.</summary>
    internal TaskFormat? Format { get; init; }

    /// <summary>When set, every row must have exactly this many fields (LCQMC's three).</summary>
    internal int? ExpectedFieldCount { get; init; }

    /// <summary>A view over <paramref name="path"/>; the header (or first row) is read now to fix the schema, the rest lazily.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">A column names a header field that does not exist, or has no index.</exception>
    public FileDataView Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        var o = _options;
        List<string>? header = null;
        int? expectedFields = null;
        using (var reader = Open(path))
        {
            var records = new DelimitedRecordReader(reader, o.Separators, o.AllowQuoting, o.TrimWhitespace);
            while (records.TryRead(out var first))
            {
                if (first.IsBlank) continue;
                if (first.Error is not null) throw new DataFormatException(path, first.LineNumber, first.Error);
                if (o.HasHeader) header = first.Fields;
                if (o.HasHeader || o.Columns is not { Length: > 0 }) expectedFields = first.Fields.Count;
                break;
            }
        }

        var columns = ResolveColumns(path, header, expectedFields ?? 0);
        var builder = new DataViewSchema.Builder();
        foreach (var (name, kind, _) in columns) builder.AddColumn(name, ValueConversion.ToType(kind));
        int? expected = ExpectedFieldCount ?? expectedFields;
        return new FileDataView(path, builder.ToSchema(), (active, counter) => Rows(path, columns, expected, counter), Format);
    }

    private List<(string Name, DataKind Kind, int Field)> ResolveColumns(string path, List<string>? header, int fieldCount)
    {
        var result = new List<(string, DataKind, int)>();
        if (_options.Columns is not { Length: > 0 } given)
        {
            for (int i = 0; i < fieldCount; i++)
                result.Add((header is null ? $"Column{i}" : header[i], DataKind.String, i));
            return result;
        }

        foreach (var c in given)
        {
            int index;
            if (c.SourceName is { } source)
            {
                if (header is null) throw new ArgumentException($"Column '{c.Name}' names header field '{source}', but HasHeader is false.");
                index = header.IndexOf(source);
                if (index < 0) throw new ArgumentException($"Column '{c.Name}': {path} has no header field '{source}'. Header fields: {string.Join(", ", header)}.");
            }
            else index = c.Index ?? throw new ArgumentException($"Column '{c.Name}' has neither an Index nor a SourceName.");
            result.Add((c.Name, c.DataKind, index));
        }

        return result;
    }

    private IEnumerable<object?[]> Rows(string path, List<(string Name, DataKind Kind, int Field)> columns, int? expectedFields, LoadCounter counter)
    {
        var o = _options;
        int needed = columns.Count == 0 ? 0 : columns.Max(c => c.Field) + 1;
        using var reader = Open(path);
        var records = new DelimitedRecordReader(reader, o.Separators, o.AllowQuoting, o.TrimWhitespace);
        bool headerSkipped = !o.HasHeader;
        while (records.TryRead(out var record))
        {
            if (record.IsBlank) continue;
            if (!headerSkipped)
            {
                headerSkipped = true;
                continue;
            }

            string? problem = record.Error;
            string category = "bad quoting";
            if (problem is null && expectedFields is { } n && record.Fields.Count != n)
                (problem, category) = ($"expected {n} fields{(o.HasHeader ? " (as in the header)" : "")}, separated by {Describe(o.Separators)}, but found {record.Fields.Count}", "wrong field count");
            else if (problem is null && record.Fields.Count < needed)
                (problem, category) = ($"expected at least {needed} fields but found {record.Fields.Count}", "wrong field count");
            var row = new object?[columns.Count];
            for (int c = 0; problem is null && c < columns.Count; c++)
            {
                var (name, kind, field) = columns[c];
                if (ValueConversion.TryParse(record.Fields[field], kind, out var value)) row[c] = value;
                else (problem, category) = ($"column '{name}' (field {field + 1}): cannot parse '{record.Fields[field]}' as {kind}", "bad value");
            }

            if (problem is not null)
            {
                if (o.OnMalformedRow == MalformedRowHandling.Throw) throw new DataFormatException(path, record.LineNumber, problem);
                counter.Skip(category, record.LineNumber, problem);
                continue;
            }

            if (RowHook?.Invoke(record.Fields, row) is { } reason)
            {
                counter.Skip(reason, record.LineNumber, reason);
                continue;
            }

            yield return row;
        }
    }

    private static string Describe(char[] separators) =>
        string.Join(" or ", separators.Select(c => c switch { '\t' => "TAB", ',' => "','", ' ' => "space", _ => $"'{c}'" }));

    private static StreamReader Open(string path) => new(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>Settings of a <see cref="TextLoader"/>, named as ML.NET's <c>TextLoader.Options</c>.</summary>
    public sealed class Options
    {
        /// <summary>Field separators. Default: tab.</summary>
        public char[] Separators { get; set; } = ['\t'];

        /// <summary>True when the first non-blank line names the fields. Default: false.</summary>
        public bool HasHeader { get; set; }

        /// <summary>
        /// True to honour RFC 4180 double quotes (a quoted field may hold separators, <c>""</c> and line breaks).
        /// Default: false, as UER's and CLUE's readers, for which a quote is an ordinary character.
        /// </summary>
        public bool AllowQuoting { get; set; }

        /// <summary>True to trim spaces around fields and treat whitespace-only lines as blank. Default: false.</summary>
        public bool TrimWhitespace { get; set; }

        /// <summary>The columns to load; null or empty loads every field as text, named from the header (or Column0, Column1, ...).</summary>
        public Column[]? Columns { get; set; }

        /// <summary>What to do with a malformed row. Default: <see cref="MalformedRowHandling.Throw"/>.</summary>
        public MalformedRowHandling OnMalformedRow { get; set; } = MalformedRowHandling.Throw;
    }

    /// <summary>A loaded column: its name, kind, and where it comes from (a field index, or a header field name).</summary>
    public sealed class Column
    {
        /// <summary>Column <paramref name="name"/> of <paramref name="dataKind"/> read from the 0-based field <paramref name="index"/>.</summary>
        public Column(string name, DataKind dataKind, int index)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            Name = name;
            DataKind = dataKind;
            Index = index;
        }

        /// <summary>Column <paramref name="name"/> of <paramref name="dataKind"/> read from the header field named <paramref name="sourceName"/>.</summary>
        public Column(string name, DataKind dataKind, string sourceName)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentException.ThrowIfNullOrEmpty(sourceName);
            Name = name;
            DataKind = dataKind;
            SourceName = sourceName;
        }

        /// <summary>The column name in the view.</summary>
        public string Name { get; }

        /// <summary>The type of the values.</summary>
        public DataKind DataKind { get; }

        /// <summary>The 0-based field index, when given by index.</summary>
        public int? Index { get; }

        /// <summary>The header field name, when given by name.</summary>
        public string? SourceName { get; }
    }
}
