namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Reads any view's rows as boxed canonical values, for views built on other views.</summary>
internal static class DataViewRows
{
    /// <summary>The rows of <paramref name="view"/>, with values for the <paramref name="active"/> columns only.</summary>
    public static IEnumerable<object?[]> Read(IDataView view, bool[] active, Random? rand = null)
    {
        var schema = view.Schema;
        var needed = schema.Where(c => active[c.Index]).ToArray();
        using var cursor = view.GetRowCursor(needed, rand);
        var getters = needed.Select(c => (c.Index, Get: ValueConversion.BoxedGetter(cursor, c))).ToArray();
        while (cursor.MoveNext())
        {
            var row = new object?[schema.Count];
            foreach (var (index, get) in getters) row[index] = get();
            yield return row;
        }
    }

    /// <summary>All columns active.</summary>
    public static bool[] All(DataViewSchema schema) => Enumerable.Repeat(true, schema.Count).ToArray();
}

/// <summary>A view computed from an input view by an iterator over its rows (take, skip, split, shuffle).</summary>
internal sealed class DerivedDataView : IDataView
{
    private readonly Func<bool[], Random?, IEnumerable<object?[]>> _rows;
    private readonly Func<long?> _count;

    public DerivedDataView(DataViewSchema schema, Func<bool[], Random?, IEnumerable<object?[]>> rows, Func<long?> count, bool canShuffle = false)
    {
        Schema = schema;
        _rows = rows;
        _count = count;
        CanShuffle = canShuffle;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle { get; }

    public long? GetRowCount() => _count();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowCursor.ActiveFlags(Schema, columnsNeeded);
        return new RowCursor(Schema, active, _rows(active, CanShuffle ? rand : null));
    }
}
