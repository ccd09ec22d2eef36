namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// The cursor behind every view of this library: it walks an enumerator of boxed rows (one canonical raw value per
/// schema column, null for inactive columns), so a view only has to write an iterator. Disposing it disposes the
/// iterator, which closes any file the iterator opened.
/// </summary>
internal sealed class RowCursor : DataViewRowCursor
{
    private readonly DataViewSchema _schema;
    private readonly bool[] _active;
    private IEnumerator<object?[]>? _rows;
    private object?[]? _current;
    private long _position = -1;

    public RowCursor(DataViewSchema schema, bool[] active, IEnumerable<object?[]> rows)
    {
        _schema = schema;
        _active = active;
        _rows = rows.GetEnumerator();
    }

    public override DataViewSchema Schema => _schema;

    public override long Position => _position;

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.Index < _active.Length && _active[column.Index];
    }

    public override bool MoveNext()
    {
        if (_rows is null) return false;
        if (_rows.MoveNext())
        {
            _current = _rows.Current;
            _position++;
            return true;
        }

        _current = null;
        _rows.Dispose();
        _rows = null;
        return false;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Index >= _schema.Count || !ReferenceEquals(_schema[column.Index].Type, column.Type) && !_schema[column.Index].Type.Equals(column.Type))
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this cursor's schema: {_schema.DescribeColumns()}.");
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active: pass it in columnsNeeded when creating the cursor.");
        var read = ValueConversion.GetReader<TValue>(column);
        int index = column.Index;
        return (ref TValue value) =>
        {
            var row = _current ?? throw new InvalidOperationException("The cursor has no current row: call MoveNext first (and check it returned true).");
            value = read(row[index]);
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rows?.Dispose();
            _rows = null;
            _current = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>The active-column flags for a request, checking each column belongs to <paramref name="schema"/>.</summary>
    public static bool[] ActiveFlags(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[schema.Count];
        foreach (var c in columnsNeeded)
        {
            if (c is null || c.Index >= schema.Count || schema[c.Index].Name != c.Name)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{c?.Name}' is not a column of this view: {schema.DescribeColumns()}.");
            active[c.Index] = true;
        }

        return active;
    }
}
