using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// The <see cref="IRowToRowMapper"/> of <see cref="TokenizeForRobertaTransformer"/>, which <c>CreatePredictionEngine</c>
/// and transformer chains use: the input row's columns plus the id columns, tokenized once per input position.
/// </summary>
internal sealed class TokenizingRowMapper(DataViewSchema inputSchema, DataViewSchema outputSchema, TokenizeForRobertaTransformer transformer)
    : AppendingRowMapper(inputSchema, outputSchema)
{
    public TokenizeForRobertaTransformer Transformer { get; } = transformer;

    protected override IEnumerable<DataViewSchema.Column> SourceColumns() => Transformer.TextColumns(InputSchema);

    protected override DataViewRow CreateRow(DataViewRow input, HashSet<int> active) => new MappedRow(this, input, active);

    private sealed class MappedRow(TokenizingRowMapper mapper, DataViewRow input, HashSet<int> active) : Row(mapper, input, active)
    {
        private readonly RowEncoder _encoder = new(input, mapper.Transformer);

        protected override ValueGetter<TValue> GetAppendedGetter<TValue>(int index, DataViewSchema.Column column) =>
            _encoder.MakeGetter<TValue>(index, column.Name);
    }
}
