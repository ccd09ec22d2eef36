using System.Collections;

namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// The columns of a data view (ML.NET's <c>DataViewSchema</c>): an ordered list of named, typed columns, looked up by
/// index or by name. When several columns share a name (a transform's output shadowing its input), the name finds the
/// last one and the earlier ones are <see cref="Column.IsHidden"/>.
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++) _byName[columns[i].Name] = i;
        for (int i = 0; i < columns.Length; i++)
            _columns[i] = columns[i] with { IsHidden = _byName[columns[i].Name] != i };
    }

    /// <summary>The number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="columnIndex"/>.</summary>
    public Column this[int columnIndex] => _columns[columnIndex];

    /// <summary>The (last) column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column; the message lists the available columns.</exception>
    public Column this[string name] => GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name),
        $"Column '{name}' not found. Available columns: {DescribeColumns()}.");

    /// <summary>The (last) column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out int i) ? _columns[i] : null;
    }

    /// <summary>"Name (Type), ..." for the visible columns, for messages.</summary>
    public string DescribeColumns() =>
        _columns.Length == 0 ? "(none)" : string.Join(", ", _columns.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => DescribeColumns();

    /// <summary>A schema with the given columns (indexes are assigned in order).</summary>
    public static DataViewSchema Create(IEnumerable<(string Name, DataViewType Type)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var b = new Builder();
        foreach (var (name, type) in columns) b.AddColumn(name, type);
        return b.ToSchema();
    }

    /// <summary>One column: its name, position and type, plus optional annotations.</summary>
    /// <param name="Name">The column name.</param>
    /// <param name="Index">The position in the schema (what cursors and getters are indexed by).</param>
    /// <param name="Type">The column type.</param>
    public sealed record Column(string Name, int Index, DataViewType Type)
    {
        /// <summary>True when a later column has the same name (the name then finds the later one).</summary>
        public bool IsHidden { get; init; }

        /// <summary>Slot and key names, when known.</summary>
        public Annotations Annotations { get; init; } = Annotations.Empty;

        /// <inheritdoc/>
        public override string ToString() => $"{Name} ({Type})";
    }

    /// <summary>
    /// Column annotations (ML.NET's metadata), reduced to the two every classifier uses: the names of a vector's
    /// slots (one per class of a Score column) and the names of a key column's values (its categories).
    /// </summary>
    /// <param name="SlotNames">The name of each slot of a vector column, or null.</param>
    /// <param name="KeyValues">The name of each value of a key column (key 1 is item 0), or null.</param>
    public sealed record Annotations(IReadOnlyList<string>? SlotNames = null, IReadOnlyList<string>? KeyValues = null)
    {
        /// <summary>No annotations.</summary>
        public static Annotations Empty { get; } = new();
    }

    /// <summary>Builds a schema column by column.</summary>
    public sealed class Builder
    {
        private readonly List<Column> _columns = [];

        /// <summary>Adds a column named <paramref name="name"/> of type <paramref name="type"/>.</summary>
        public Builder AddColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            _columns.Add(new Column(name, _columns.Count, type) { Annotations = annotations ?? Annotations.Empty });
            return this;
        }

        /// <summary>Adds copies of <paramref name="columns"/> (with new indexes), hidden ones included.</summary>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            foreach (var c in columns) AddColumn(c.Name, c.Type, c.Annotations);
            return this;
        }

        /// <summary>The schema.</summary>
        public DataViewSchema ToSchema() => new([.. _columns]);
    }
}
