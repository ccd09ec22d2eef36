namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// A view over a data file, read lazily: each cursor opens the file and parses one row per <c>MoveNext</c>, so a
/// malformed row is only met when a cursor reaches it. Returned by the catalog's loaders; besides
/// <see cref="IDataView"/> it tells what a complete pass kept and skipped (<see cref="GetLoadReport"/>).
/// </summary>
public sealed class FileDataView : IDataView
{
    private readonly Func<bool[], LoadCounter, IEnumerable<object?[]>> _rows;
    private volatile LoadReport? _lastReport;

    internal FileDataView(string path, DataViewSchema schema, Func<bool[], LoadCounter, IEnumerable<object?[]>> rows, TaskFormat? format = null)
    {
        FilePath = path;
        Schema = schema;
        _rows = rows;
        Format = format;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The task format the file was read as (detected or given), or null for generic loaders.</summary>
    public TaskFormat? Format { get; }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>False: rows come in file order.</summary>
    public bool CanShuffle => false;

    /// <summary>The number of rows once a cursor has read the whole file (or <see cref="GetLoadReport"/> ran), else null.</summary>
    public long? GetRowCount() => _lastReport?.Rows;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowCursor.ActiveFlags(Schema, columnsNeeded);
        return new RowCursor(Schema, active, Counted(active));
    }

    /// <summary>
    /// The report of the last complete pass over the file; when no cursor has reached the end yet, makes one pass
    /// now (this throws on the first malformed row unless the loader skips them).
    /// </summary>
    public LoadReport GetLoadReport()
    {
        if (_lastReport is { } report) return report;
        foreach (var row in Counted(new bool[Schema.Count])) _ = row;
        return _lastReport!;
    }

    private IEnumerable<object?[]> Counted(bool[] active)
    {
        var counter = new LoadCounter();
        foreach (var row in _rows(active, counter))
        {
            counter.Rows++;
            yield return row;
        }

        _lastReport = counter.ToReport(FilePath);
    }
}
