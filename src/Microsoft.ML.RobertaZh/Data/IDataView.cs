namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// A schema'd, lazily evaluated table (ML.NET's <c>IDataView</c>): rows are produced as cursors advance, so a file is
/// read as it is consumed and a transform computes its columns on demand. Views are immutable and may be cursored
/// any number of times.
/// </summary>
public interface IDataView
{
    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>True when <see cref="GetRowCursor"/> honours its <c>rand</c> argument by shuffling rows.</summary>
    bool CanShuffle { get; }

    /// <summary>The number of rows when known without reading the data, otherwise null.</summary>
    long? GetRowCount();

    /// <summary>
    /// A cursor over all rows, with getters for <paramref name="columnsNeeded"/> only; rows come in a random order
    /// drawn from <paramref name="rand"/> when it is given and <see cref="CanShuffle"/> is true.
    /// </summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);
}
