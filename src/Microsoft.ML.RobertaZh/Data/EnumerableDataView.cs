namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// A view over an <see cref="IEnumerable{T}"/> of objects (<c>LoadFromEnumerable</c>): the enumerable is walked
/// anew by every cursor, so it stays lazy. Shuffling is possible when the source is an <see cref="IList{T}"/>.
/// </summary>
internal sealed class EnumerableDataView<T> : IDataView where T : class
{
    private readonly IEnumerable<T> _source;
    private readonly RowObjectMapping _mapping;

    public EnumerableDataView(IEnumerable<T> source, DataViewSchema? schemaDefinition)
    {
        _source = source;
        _mapping = RowObjectMapping.For(typeof(T));
        Schema = _mapping.CreateSchema();
        if (schemaDefinition is not null)
        {
            // A caller-given schema may refine column types (vector sizes, key counts) but not rename columns.
            var b = new DataViewSchema.Builder();
            foreach (var m in _mapping.Members)
            {
                var given = schemaDefinition.GetColumnOrNull(m.ColumnName);
                b.AddColumn(m.ColumnName, given?.Type ?? m.Type, given?.Annotations);
            }

            Schema = b.ToSchema();
        }
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source is IList<T> or IReadOnlyList<T>;

    public long? GetRowCount() => _source switch
    {
        ICollection<T> c => c.Count,
        IReadOnlyCollection<T> c => c.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowCursor.ActiveFlags(Schema, columnsNeeded);
        return new RowCursor(Schema, active, Rows(active, CanShuffle ? rand : null));
    }

    private IEnumerable<object?[]> Rows(bool[] active, Random? rand)
    {
        IEnumerable<T> items = _source;
        if (rand is not null)
        {
            var order = Enumerable.Range(0, (int)GetRowCount()!.Value).ToArray();
            rand.Shuffle(order);
            items = _source is IReadOnlyList<T> ro ? order.Select(i => ro[i]) : order.Select(i => ((IList<T>)_source)[i]);
        }

        foreach (var item in items)
        {
            if (item is null) throw new InvalidOperationException($"LoadFromEnumerable<{typeof(T).Name}>: the enumerable yielded a null item.");
            var row = new object?[Schema.Count];
            for (int c = 0; c < row.Length; c++)
                if (active[c]) row[c] = ValueConversion.ToCanonical(_mapping.Members[c].GetValue(item), Schema[c].Type, Schema[c].Name);
            yield return row;
        }
    }
}
