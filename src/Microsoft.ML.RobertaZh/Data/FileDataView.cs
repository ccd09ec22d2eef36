namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// A real ML.NET <see cref="IDataView"/> over a data file, returned by this library's loaders
/// (<see cref="TaskDataCatalog.LoadTaskDataset(DataOperationsCatalog, string, TaskDatasetOptions)"/>,
/// <see cref="TaskDataCatalog.LoadFromJsonLines"/>). Loading makes one validating pass (malformed rows, invalid UTF-8,
/// labels unlike the rest), so errors name file, line and value at once and the row count is known; rows are then read
/// lazily, one per <c>MoveNext</c>, by every cursor (the file is never held in memory).
/// </summary>
public sealed class FileDataView : IDataView
{
    private readonly Func<LoadCounter?, IEnumerable<SourceRow>> _rows;
    private readonly LoadReport _report;
    private readonly HashSet<long> _dropped;

    /// <summary>Makes the validating pass; <paramref name="audit"/> sees every kept row and returns the lines to drop (already counted as skipped).</summary>
    internal FileDataView(string path, DataViewSchema schema, Func<LoadCounter?, IEnumerable<SourceRow>> rows, TaskFormat? format,
        Func<List<SourceRow>, LoadCounter, IEnumerable<long>>? audit = null)
    {
        FilePath = path;
        Schema = schema;
        Format = format;
        var counter = new LoadCounter();
        // The validating pass: a malformed row throws here (unless skipped); the audit sees every kept row.
        var kept = audit is null ? null : new List<SourceRow>();
        foreach (var row in rows(counter))
        {
            counter.Rows++;
            kept?.Add(row);
        }

        _dropped = audit is null ? [] : [.. audit(kept!, counter)];
        counter.Rows -= _dropped.Count;
        _rows = rows;
        _report = counter.ToReport(path);
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The task format the file was read as (detected or given), or null for JSON lines.</summary>
    public TaskFormat? Format { get; }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>False: rows come in file order (shuffle with <c>mlContext.Data.ShuffleRows</c>).</summary>
    public bool CanShuffle => false;

    /// <summary>The number of rows the view produces (known from the validating pass).</summary>
    public long? GetRowCount() => _report.Rows;

    /// <summary>What the validating pass kept and skipped.</summary>
    public LoadReport GetLoadReport() => _report;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new BoxedRowCursor(Schema, BoxedRowCursor.ActiveFlags(Schema, columnsNeeded), _dropped.Count == 0 ? _rows(null) : _rows(null).Where(r => !_dropped.Contains(r.Line)));

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
