namespace Microsoft.ML.RobertaZh.Data;

/// <summary>One row read from a data file: its 1-based line and one canonical value per schema column.</summary>
internal readonly record struct SourceRow(long Line, object?[] Values);

/// <summary>
/// A cursor over rows of boxed canonical values (<see cref="ReadOnlyMemory{T}"/> of char for text, float, double, bool,
/// int, long), the shape every loader of this library produces. Disposing it disposes the row iterator, which closes
/// the file it opened.
/// </summary>
internal sealed class BoxedRowCursor : DataViewRowCursor
{
    private readonly DataViewSchema _schema;
    private readonly bool[] _active;
    private IEnumerator<SourceRow>? _rows;
    private object?[]? _current;
    private long _position = -1;

    public BoxedRowCursor(DataViewSchema schema, bool[] active, IEnumerable<SourceRow> rows)
    {
        _schema = schema;
        _active = active;
        _rows = rows.GetEnumerator();
    }

    public override DataViewSchema Schema => _schema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < _active.Length && _active[column.Index];

    public override bool MoveNext()
    {
        if (_rows is null) return false;
        if (_rows.MoveNext())
        {
            _current = _rows.Current.Values;
            _position++;
            return true;
        }

        _current = null;
        _rows.Dispose();
        _rows = null;
        return false;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index >= _schema.Count || _schema[column.Index].Name != column.Name)
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not a column of this cursor's schema.");
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active: pass it in columnsNeeded when creating the cursor.");
        if (typeof(TValue) != _schema[column.Index].Type.RawType)
            throw new InvalidOperationException($"Column '{column.Name}' holds {_schema[column.Index].Type.RawType.Name}, not {typeof(TValue).Name}.");
        int index = column.Index;
        return (ref TValue value) =>
        {
            var row = _current ?? throw new InvalidOperationException("The cursor has no current row: call MoveNext first.");
            value = (TValue)row[index]!;
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

    /// <summary>The active-column flags for a request.</summary>
    public static bool[] ActiveFlags(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[schema.Count];
        foreach (var c in columnsNeeded)
        {
            if (c.Index >= schema.Count || schema[c.Index].Name != c.Name)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{c.Name}' is not a column of this view.");
            active[c.Index] = true;
        }

        return active;
    }
}
