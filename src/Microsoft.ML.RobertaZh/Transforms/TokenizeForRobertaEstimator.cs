using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// The estimator of <c>mlContext.Transforms.Text.TokenizeForRoberta</c>: nothing to learn; <see cref="Fit"/> checks the
/// text columns and loads the tokenizer (once) into a <see cref="TokenizeForRobertaTransformer"/>.
/// </summary>
public sealed class TokenizeForRobertaEstimator : IEstimator<TokenizeForRobertaTransformer>
{
    private readonly TokenizeForRobertaOptions _options;
    private readonly Lazy<BertTokenizer> _tokenizer;

    /// <summary>An estimator with <paramref name="options"/> (copied; checked now).</summary>
    /// <exception cref="ArgumentException">An option cannot work (the message names it).</exception>
    public TokenizeForRobertaEstimator(TokenizeForRobertaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = new TokenizeForRobertaOptions
        {
            InputColumnName = options.InputColumnName, PairColumnName = options.PairColumnName, TokenizerPath = options.TokenizerPath,
            Tokenizer = options.Tokenizer, MaxLength = options.MaxLength, FixedLength = options.FixedLength, Truncation = options.Truncation,
            InputIdsColumnName = options.InputIdsColumnName, AttentionMaskColumnName = options.AttentionMaskColumnName,
            TokenTypeIdsColumnName = options.TokenTypeIdsColumnName,
        };
        _options.Validate();
        _tokenizer = new Lazy<BertTokenizer>(_options.ResolveTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Checks <paramref name="input"/>'s text columns and returns the transformer (no pass over the data).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text.</exception>
    /// <exception cref="FileNotFoundException">The tokenizer path holds no vocab.txt.</exception>
    public TokenizeForRobertaTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new TokenizeForRobertaTransformer(_options, _tokenizer.Value);
        _ = transformer.TextColumns(input.Schema);
        return transformer;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = inputSchema.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (string name in new[] { _options.InputColumnName, _options.PairColumnName }.OfType<string>())
        {
            if (!columns.TryGetValue(name, out var column))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"TokenizeForRoberta: could not find text column '{name}'. Available columns: {string.Join(", ", columns.Keys)}.");
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"TokenizeForRoberta: schema mismatch for text column '{name}': expected String, got {(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : "vector of ")}{column.ItemType}.");
        }
        var kind = _options.FixedLength ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector;
        foreach (string name in new[] { _options.InputIdsColumnName, _options.AttentionMaskColumnName, _options.TokenTypeIdsColumnName }.OfType<string>())
        {
            columns[name] = Interop.TryColumn(name, kind, NumberDataViewType.Int64, isKey: false)
                ?? throw new NotSupportedException("This ML.NET version's SchemaShape.Column constructor was not found; use Fit(data).GetOutputSchema(data.Schema) instead.");
        }
        return new SchemaShape(columns.Values);
    }
}
