using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Transforms.Persistence;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>
/// Tokenizes one text column (or a sentence pair) with a BERT tokenizer into the int64 columns an exported graph takes:
/// <c>input_ids</c>, <c>attention_mask</c> and (optionally) <c>token_type_ids</c> — vectors of known size
/// <see cref="MaxLength"/> when <see cref="FixedLength"/>, else of each row's own length. What
/// <c>mlContext.Transforms.Text.TokenizeForRoberta</c> fits. <see cref="Transform"/> is lazy (rows are tokenized as a
/// cursor reads them, in parallel across a cursor set), it is a row-to-row mapper (<c>CreatePredictionEngine</c> works),
/// and it is thread-safe.
/// <para>
/// <b>Saving.</b> ML.NET's <c>mlContext.Model.Save</c> cannot store a transformer from outside ML.NET, so this one saves
/// itself as an equivalent chain of ML.NET's own transforms: its settings and vocabulary as a constant of an
/// <c>Expression</c> transform, the tokenization as a <c>CustomMapping</c> whose factory lives in this assembly. A model zip
/// holding it and <c>ApplyOnnxModel</c> (whose ONNX bytes travel inside the zip) loads with plain
/// <c>mlContext.Model.Load</c> in any process that references this library, and gives the same columns with the same
/// types. ML.NET fixes a custom mapping's vector sizes at compile time, so a fixed-length step saves for the lengths 16,
/// 32, 64, 128, 256, 384 and 512 (others are refused with a message when saving); dynamic-length steps save at any length.
/// </para>
/// <para>
/// <b>With ApplyOnnxModel.</b> Fixed-length ids need a shape dictionary (<c>{ "input_ids": [1, MaxLength], ... }</c> for
/// each id column); dynamic-length ids need none, as the exported graphs' sequence axis is dynamic, and cost no compute
/// on padding.
/// </para>
/// </summary>
public sealed class TokenizeForRobertaTransformer : ITransformer
{
    internal TokenizeForRobertaTransformer(TokenizeForRobertaOptions options, BertTokenizer tokenizer)
    {
        InputColumnName = options.InputColumnName;
        PairColumnName = options.PairColumnName;
        InputIdsColumnName = options.InputIdsColumnName;
        AttentionMaskColumnName = options.AttentionMaskColumnName;
        TokenTypeIdsColumnName = options.TokenTypeIdsColumnName;
        Rows = new RowTokenizer(tokenizer, options.MaxLength, options.FixedLength, options.Truncation);
    }

    /// <summary>The tokenizer.</summary>
    public BertTokenizer Tokenizer => Rows.Tokenizer;

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The second text column of sentence pairs, or null.</summary>
    public string? PairColumnName { get; }

    /// <summary>Longest encoding in tokens ([CLS] and [SEP] included).</summary>
    public int MaxLength => Rows.MaxLength;

    /// <summary>Whether rows are padded to <see cref="MaxLength"/> (vectors of known size) or keep their own length.</summary>
    public bool FixedLength => Rows.FixedLength;

    /// <summary>How pairs are truncated.</summary>
    public TruncationStrategy Truncation => Rows.Truncation;

    /// <summary>The token id column written.</summary>
    public string InputIdsColumnName { get; }

    /// <summary>The attention mask column written.</summary>
    public string AttentionMaskColumnName { get; }

    /// <summary>The token type column written, or null.</summary>
    public string? TokenTypeIdsColumnName { get; }

    /// <summary>True: one row maps to one row.</summary>
    public bool IsRowToRowMapper => true;

    internal RowTokenizer Rows { get; }

    /// <summary>The written columns' names, in order (ids, mask, token types).</summary>
    internal IReadOnlyList<string> OutputColumnNames => TokenTypeIdsColumnName is { } types
        ? [InputIdsColumnName, AttentionMaskColumnName, types]
        : [InputIdsColumnName, AttentionMaskColumnName];

    /// <summary>The id columns' type: Vector&lt;Int64, MaxLength&gt; in fixed-length mode, else Vector&lt;Int64&gt;.</summary>
    internal VectorDataViewType OutputType => new(NumberDataViewType.Int64, FixedLength ? MaxLength : 0);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or is not text (the message lists the columns).</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _ = TextColumns(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (string name in OutputColumnNames) builder.AddColumn(name, OutputType);
        return builder.ToSchema();
    }

    /// <summary>A lazy view of <paramref name="input"/> with the id columns appended.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TokenizedDataView(input, GetOutputSchema(input.Schema), this);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new TokenizingRowMapper(inputSchema, GetOutputSchema(inputSchema), this);

    /// <summary>Saves this transformer as the equivalent chain of ML.NET's own transforms (see the class remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ((ICanSaveModel)NativeTokenizerChain.Build(this)).Save(ctx);
    }

    /// <summary>The text column(s) in <paramref name="schema"/>, checked.</summary>
    internal IReadOnlyList<DataViewSchema.Column> TextColumns(DataViewSchema schema)
    {
        DataViewSchema.Column Text(string name)
        {
            var column = schema.GetColumnOrNull(name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"TokenizeForRoberta: could not find text column '{name}'. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
            if (column.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(schema), $"TokenizeForRoberta: schema mismatch for text column '{name}': expected String, got {column.Type}.");
            return column;
        }
        return PairColumnName is { } pair ? [Text(InputColumnName), Text(pair)] : [Text(InputColumnName)];
    }
}
