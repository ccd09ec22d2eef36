namespace Microsoft.ML.RobertaZh.Transforms.Persistence;

/// <summary>
/// A <see cref="TokenizeForRobertaTransformer"/> as a chain of ML.NET's own transforms, which ML.NET's <c>Model.Save</c>
/// writes and <c>Model.Load</c> reads back in any process referencing this library:
/// <list type="number">
/// <item><c>CopyColumns</c> of the text column(s) to fixed internal names;</item>
/// <item><c>Expression</c> writing the tokenizer spec (<see cref="TokenizerSpec"/>: vocabulary and settings, gzipped JSON
/// in base64) as a constant text column — the expression's text, and so the vocabulary, is saved inside the zip;</item>
/// <item><c>CustomMapping</c> (a <see cref="TokenizeForRobertaMappingBase{TOutput}"/> factory, found by contract name when
/// loading: one for variable-size ids, one per length in <see cref="FixedLengths"/>) tokenizing each row with that spec;</item>
/// <item><c>CopyColumns</c> to the transformer's output names and <c>DropColumns</c> of the internal ones.</item>
/// </list>
/// The loaded chain writes the same values with the same column types.
/// </summary>
internal static class NativeTokenizerChain
{
    /// <summary>The start of every contract name of the saved mappings.</summary>
    public const string ContractPrefix = "Microsoft.ML.RobertaZh.TokenizeForRoberta.v1.";

    private const string Prefix = "RobertaZh.TokenizeForRoberta.";
    public const string TextColumn = Prefix + "Text";
    public const string PairColumn = Prefix + "Pair";
    public const string SpecColumn = Prefix + "Spec";
    public const string InputIdsColumn = Prefix + "input_ids";
    public const string AttentionMaskColumn = Prefix + "attention_mask";
    public const string TokenTypeIdsColumn = Prefix + "token_type_ids";

    /// <summary>The fixed lengths whose columns keep their known size when saved (a custom mapping's types are compiled in).</summary>
    public static IReadOnlyList<int> FixedLengths { get; } = [16, 32, 64, 128, 256, 384, 512];

    /// <summary>The chain, fitted on a schema holding only the text column(s).</summary>
    /// <exception cref="NotSupportedException">A fixed length outside <see cref="FixedLengths"/>.</exception>
    public static TransformerChain<ITransformer> Build(TokenizeForRobertaTransformer transformer)
    {
        var ml = new MLContext();
        bool pair = transformer.PairColumnName is not null;
        var steps = new List<IEstimator<ITransformer>>
        {
            ml.Transforms.CopyColumns(TextColumn, transformer.InputColumnName),
            ml.Transforms.CopyColumns(PairColumn, transformer.PairColumnName ?? transformer.InputColumnName),
            // Base64 needs no escaping inside the expression language's string literal.
            ml.Transforms.Expression(SpecColumn, $"x => \"{TokenizerSpec.Write(transformer.Rows, pair)}\"", TextColumn),
            Mapping(ml, transformer),
            ml.Transforms.CopyColumns(transformer.InputIdsColumnName, InputIdsColumn),
            ml.Transforms.CopyColumns(transformer.AttentionMaskColumnName, AttentionMaskColumn),
        };
        if (transformer.TokenTypeIdsColumnName is { } types) steps.Add(ml.Transforms.CopyColumns(types, TokenTypeIdsColumn));
        steps.Add(ml.Transforms.DropColumns(TextColumn, PairColumn, SpecColumn, InputIdsColumn, AttentionMaskColumn, TokenTypeIdsColumn));

        var schema = new DataViewSchema.Builder();
        foreach (var name in new[] { transformer.InputColumnName, transformer.PairColumnName }.OfType<string>().Distinct(StringComparer.Ordinal))
            schema.AddColumn(name, TextDataViewType.Instance);
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

    private static IEstimator<ITransformer> Mapping(MLContext ml, TokenizeForRobertaTransformer transformer)
    {
        if (!transformer.FixedLength) return ml.Transforms.CustomMapping(new TokenizeForRobertaMapping().GetMapping(), TokenizeForRobertaMapping.Contract);
        return transformer.MaxLength switch
        {
            16 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping16().GetMapping(), TokenizeForRobertaMapping16.Contract),
            32 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping32().GetMapping(), TokenizeForRobertaMapping32.Contract),
            64 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping64().GetMapping(), TokenizeForRobertaMapping64.Contract),
            128 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping128().GetMapping(), TokenizeForRobertaMapping128.Contract),
            256 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping256().GetMapping(), TokenizeForRobertaMapping256.Contract),
            384 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping384().GetMapping(), TokenizeForRobertaMapping384.Contract),
            512 => ml.Transforms.CustomMapping(new TokenizeForRobertaMapping512().GetMapping(), TokenizeForRobertaMapping512.Contract),
            _ => throw new NotSupportedException(
                $"TokenizeForRoberta with FixedLength and MaxLength {transformer.MaxLength} cannot be saved with mlContext.Model.Save: ML.NET fixes a saved "
                + $"custom mapping's vector sizes at compile time, and this library ships them for {string.Join(", ", FixedLengths)}. "
                + "Use one of those lengths, or FixedLength = false (ApplyOnnxModel takes variable-size ids without a shape dictionary)."),
        };
    }
}
