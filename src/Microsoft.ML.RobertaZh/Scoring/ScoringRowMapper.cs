namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>
/// The <see cref="IRowToRowMapper"/> of a scoring transformer, which <c>mlContext.Model.CreatePredictionEngine</c>
/// uses: one row at a time, computed once per input position when an output getter is called.
/// </summary>
internal sealed class ScoringRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema, IBatchScorer scorer) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema { get; } = outputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        int inputCount = InputSchema.Count;
        var columns = dependingColumns.ToList();
        var needed = columns.Where(c => c.Index < inputCount).Select(c => InputSchema[c.Index]).ToList();
        if (columns.Any(c => c.Index >= inputCount)) needed.AddRange(scorer.InputColumnNames.Select(n => InputSchema[n]));
        return needed.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedRow(this, input, [.. activeColumns.Select(c => c.Index)], scorer);
    }

    private sealed class MappedRow(ScoringRowMapper mapper, DataViewRow input, HashSet<int> active, IBatchScorer scorer) : DataViewRow
    {
        private ValueGetter<ReadOnlyMemory<char>>[]? _texts;
        private float[]? _result;
        private long _resultPosition = -1;

        public override DataViewSchema Schema => mapper.OutputSchema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = mapper.InputSchema.Count;
            if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
            return scorer.MakeGetter(column.Index - inputCount, Current) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        private float[] Current()
        {
            // PredictionEngine reuses one input row object; a new value there does not move Position, so always rescore
            // unless the same position is read twice within one row (several output getters).
            if (_result is not null && _resultPosition == input.Position && input.Position >= 0) return _result;
            _texts ??= [.. scorer.InputColumnNames.Select(n => input.GetGetter<ReadOnlyMemory<char>>(input.Schema[n]))];
            ReadOnlyMemory<char> a = default, b = default;
            _texts[0](ref a);
            if (_texts.Length > 1) _texts[1](ref b);
            _result = scorer.Score([(a.ToString(), _texts.Length > 1 ? b.ToString() : null)])[0];
            _resultPosition = input.Position;
            return _result;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
