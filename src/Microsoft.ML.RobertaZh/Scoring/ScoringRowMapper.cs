using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Scoring;

/// <summary>
/// The <see cref="IRowToRowMapper"/> of a scoring transformer, which <c>mlContext.Model.CreatePredictionEngine</c>
/// uses: one row at a time, computed once per input position when an output getter is called.
/// </summary>
internal sealed class ScoringRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema, IBatchScorer scorer)
    : AppendingRowMapper(inputSchema, outputSchema)
{
    protected override IEnumerable<DataViewSchema.Column> SourceColumns() => scorer.InputColumnNames.Select(n => InputSchema[n]);

    protected override DataViewRow CreateRow(DataViewRow input, HashSet<int> active) => new MappedRow(this, input, active, scorer);

    private sealed class MappedRow(ScoringRowMapper mapper, DataViewRow input, HashSet<int> active, IBatchScorer scorer) : Row(mapper, input, active)
    {
        private ValueGetter<ReadOnlyMemory<char>>[]? _texts;
        private float[]? _result;
        private long _resultPosition = -1;

        protected override ValueGetter<TValue> GetAppendedGetter<TValue>(int index, DataViewSchema.Column column) =>
            scorer.MakeGetter(index, Current) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; it cannot be read as {typeof(TValue).Name}.");

        private float[] Current()
        {
            // PredictionEngine reuses one input row object; a new value there does not move Position, so always rescore
            // unless the same position is read twice within one row (several output getters).
            if (_result is not null && _resultPosition == Input.Position && Input.Position >= 0) return _result;
            _texts ??= [.. scorer.InputColumnNames.Select(n => Input.GetGetter<ReadOnlyMemory<char>>(Input.Schema[n]))];
            ReadOnlyMemory<char> a = default, b = default;
            _texts[0](ref a);
            if (_texts.Length > 1) _texts[1](ref b);
            _result = scorer.Score([(a.ToString(), _texts.Length > 1 ? b.ToString() : null)])[0];
            _resultPosition = Input.Position;
            return _result;
        }
    }
}
