namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// The <see cref="IRowToRowMapper"/> of <see cref="TokenizeForRobertaTransformer"/>, which <c>CreatePredictionEngine</c>
/// and transformer chains use: the input row's columns plus the id columns, tokenized once per input position.
/// </summary>
internal sealed class TokenizingRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema, TokenizeForRobertaTransformer transformer) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema { get; } = outputSchema;

    public TokenizeForRobertaTransformer Transformer { get; } = transformer;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        ArgumentNullException.ThrowIfNull(dependingColumns);
        int inputCount = InputSchema.Count;
        var columns = dependingColumns.ToList();
        var needed = columns.Where(c => c.Index < inputCount).Select(c => InputSchema[c.Index]).ToList();
        if (columns.Any(c => c.Index >= inputCount)) needed.AddRange(Transformer.TextColumns(InputSchema));
        return needed.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new MappedRow(this, input, [.. activeColumns.Select(c => c.Index)]);
    }

    private sealed class MappedRow(TokenizingRowMapper mapper, DataViewRow input, HashSet<int> active) : DataViewRow
    {
        private readonly RowEncoder _encoder = new(input, mapper.Transformer);

        public override DataViewSchema Schema => mapper.OutputSchema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = mapper.InputSchema.Count;
            if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
            return _encoder.MakeGetter<TValue>(column.Index - inputCount, column.Name);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
