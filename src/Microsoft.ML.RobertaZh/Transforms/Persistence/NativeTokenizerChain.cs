namespace Microsoft.ML.RobertaZh.Transforms.Persistence;

/// <summary>
/// A <see cref="TokenizeForRobertaTransformer"/> as a chain of ML.NET's own transforms, which ML.NET's <c>Model.Save</c>
/// writes and <c>Model.Load</c> reads back in any process referencing this library:
/// <list type="number">
/// <item><c>CopyColumns</c> of the text column(s) to fixed internal names;</item>
/// <item><c>Expression</c> writing the tokenizer spec (<see cref="TokenizerSpec"/>: vocabulary and settings, gzipped JSON
/// in base64) as a constant text column — the expression's text, and so the vocabulary, is saved inside the zip;</item>
/// <item><c>CustomMapping</c> (<see cref="TokenizeForRobertaMapping"/> or <see cref="TokenizeForRobertaPairMapping"/>, found by
/// contract name when loading) tokenizing each row with that spec;</item>
/// <item><c>CopyColumns</c> to the transformer's output names and <c>DropColumns</c> of the internal ones.</item>
/// </list>
/// The loaded chain writes the same values; its id columns are vectors of variable size.
/// </summary>
internal static class NativeTokenizerChain
{
    private const string Prefix = "RobertaZh.TokenizeForRoberta.";
    public const string TextColumn = Prefix + "Text";
    public const string PairColumn = Prefix + "Pair";
    public const string SpecColumn = Prefix + "Spec";
    public const string InputIdsColumn = Prefix + "input_ids";
    public const string AttentionMaskColumn = Prefix + "attention_mask";
    public const string TokenTypeIdsColumn = Prefix + "token_type_ids";

    /// <summary>The chain, fitted on a schema holding only the text column(s).</summary>
    public static TransformerChain<ITransformer> Build(TokenizeForRobertaTransformer transformer)
    {
        var ml = new MLContext();
        string spec = TokenizerSpec.Write(transformer.Rows);
        bool pair = transformer.PairColumnName is not null;
        var steps = new List<IEstimator<ITransformer>> { ml.Transforms.CopyColumns(TextColumn, transformer.InputColumnName) };
        if (pair) steps.Add(ml.Transforms.CopyColumns(PairColumn, transformer.PairColumnName));
        // Base64 needs no escaping inside the expression language's string literal.
        steps.Add(ml.Transforms.Expression(SpecColumn, $"x => \"{spec}\"", TextColumn));
        steps.Add(pair
            ? ml.Transforms.CustomMapping(new TokenizeForRobertaPairMapping().GetMapping(), TokenizeForRobertaPairMapping.Contract)
            : ml.Transforms.CustomMapping(new TokenizeForRobertaMapping().GetMapping(), TokenizeForRobertaMapping.Contract));
        steps.Add(ml.Transforms.CopyColumns(transformer.InputIdsColumnName, InputIdsColumn));
        steps.Add(ml.Transforms.CopyColumns(transformer.AttentionMaskColumnName, AttentionMaskColumn));
        if (transformer.TokenTypeIdsColumnName is { } types) steps.Add(ml.Transforms.CopyColumns(types, TokenTypeIdsColumn));
        steps.Add(ml.Transforms.DropColumns(pair
            ? [TextColumn, PairColumn, SpecColumn, InputIdsColumn, AttentionMaskColumn, TokenTypeIdsColumn]
            : [TextColumn, SpecColumn, InputIdsColumn, AttentionMaskColumn, TokenTypeIdsColumn]));

        var schema = new DataViewSchema.Builder();
        schema.AddColumn(transformer.InputColumnName, TextDataViewType.Instance);
        if (pair && transformer.PairColumnName != transformer.InputColumnName) schema.AddColumn(transformer.PairColumnName!, TextDataViewType.Instance);
        IDataView view = new SchemaOnlyDataView(schema.ToSchema());
        var fitted = new List<ITransformer>(steps.Count);
        foreach (var step in steps)
        {
            var t = step.Fit(view);
            fitted.Add(t);
            view = t.Transform(view);
        }
        return new TransformerChain<ITransformer>([.. fitted]);
    }
}
