namespace Microsoft.ML.RobertaZh.Data;

/// <summary>
/// An <see cref="IRowToRowMapper"/> whose output schema is its input schema followed by appended columns (tokenization,
/// scores): input columns pass through, the appended ones are computed from <see cref="SourceColumns"/> by the row that
/// <see cref="CreateRow"/> makes. <c>CreatePredictionEngine</c> and transformer chains use it.
/// </summary>
internal abstract class AppendingRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema { get; } = outputSchema;

    /// <summary>The input columns the appended columns are computed from.</summary>
    protected abstract IEnumerable<DataViewSchema.Column> SourceColumns();

    /// <summary>The output row over <paramref name="input"/> with the output columns at <paramref name="active"/> active.</summary>
    protected abstract DataViewRow CreateRow(DataViewRow input, HashSet<int> active);

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        ArgumentNullException.ThrowIfNull(dependingColumns);
        int inputCount = InputSchema.Count;
        var columns = dependingColumns.ToList();
        var needed = columns.Where(c => c.Index < inputCount).Select(c => InputSchema[c.Index]).ToList();
        if (columns.Any(c => c.Index >= inputCount)) needed.AddRange(SourceColumns());
        return needed.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return CreateRow(input, [.. activeColumns.Select(c => c.Index)]);
    }

    /// <summary>
    /// A row of the mapper: the input row's columns passed through, the appended column <c>i</c> (output index input
    /// count + i) read through <see cref="GetAppendedGetter{TValue}"/>; disposing it disposes the input row.
    /// </summary>
    protected abstract class Row(AppendingRowMapper mapper, DataViewRow input, HashSet<int> active) : DataViewRow
    {
        /// <summary>The input row.</summary>
        protected DataViewRow Input { get; } = input;

        public override DataViewSchema Schema => mapper.OutputSchema;

        public override long Position => Input.Position;

        public override long Batch => Input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => Input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = mapper.InputSchema.Count;
            if (column.Index < inputCount) return Input.GetGetter<TValue>(Input.Schema[column.Index]);
            return GetAppendedGetter<TValue>(column.Index - inputCount, column);
        }

        /// <summary>The getter of appended column <paramref name="index"/> (<paramref name="column"/> in the output schema).</summary>
        protected abstract ValueGetter<TValue> GetAppendedGetter<TValue>(int index, DataViewSchema.Column column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) Input.Dispose();
            base.Dispose(disposing);
        }
    }
}
