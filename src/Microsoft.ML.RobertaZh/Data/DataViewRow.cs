namespace Microsoft.ML.RobertaZh.Data;

/// <summary>Reads the current row's value of one column into <paramref name="value"/> (ML.NET's <c>ValueGetter</c>).</summary>
/// <typeparam name="TValue">The column's raw type (see <see cref="DataViewType.RawType"/>).</typeparam>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>
/// A row of a data view: typed getters over its active columns (ML.NET's <c>DataViewRow</c>). A getter, once
/// obtained, always reads the current row of the cursor it came from.
/// </summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The columns.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>The 0-based index of the current row among the rows this cursor has produced; −1 before the first.</summary>
    public abstract long Position { get; }

    /// <summary>True when the column was requested when the cursor was created (only active columns have getters).</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>
    /// A getter for <paramref name="column"/>. <typeparamref name="TValue"/> must be the column's raw type; text also
    /// accepts <see cref="string"/>, and vectors also accept arrays.
    /// </summary>
    /// <exception cref="InvalidOperationException">The column is inactive or the type does not match.</exception>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>Releases the underlying reader.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; <paramref name="disposing"/> is false from a finalizer.</summary>
    protected virtual void Dispose(bool disposing) { }
}

/// <summary>A forward-only cursor over a data view's rows (ML.NET's <c>DataViewRowCursor</c>).</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row; false at the end.</summary>
    /// <exception cref="DataFormatException">A malformed row, when the loader was asked to throw.</exception>
    public abstract bool MoveNext();
}
