using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.RobertaZh.Transforms.Persistence;

/// <summary>The input row of the saved tokenization mapping for single texts. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizeForRobertaMappingInput
{
    /// <summary>The text.</summary>
    [ColumnName(NativeTokenizerChain.TextColumn)]
    public string Text { get; set; } = "";

    /// <summary>The tokenizer spec carried by the saved model.</summary>
    [ColumnName(NativeTokenizerChain.SpecColumn)]
    public ReadOnlyMemory<char> Spec { get; set; }
}

/// <summary>The input row of the saved tokenization mapping for sentence pairs. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizeForRobertaPairMappingInput
{
    /// <summary>The first text.</summary>
    [ColumnName(NativeTokenizerChain.TextColumn)]
    public string Text { get; set; } = "";

    /// <summary>The second text.</summary>
    [ColumnName(NativeTokenizerChain.PairColumn)]
    public string Pair { get; set; } = "";

    /// <summary>The tokenizer spec carried by the saved model.</summary>
    [ColumnName(NativeTokenizerChain.SpecColumn)]
    public ReadOnlyMemory<char> Spec { get; set; }
}

/// <summary>The output row of the saved tokenization mappings. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizeForRobertaMappingOutput
{
    /// <summary>Token ids.</summary>
    [ColumnName(NativeTokenizerChain.InputIdsColumn)]
    public long[] InputIds { get; set; } = [];

    /// <summary>Attention mask.</summary>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn)]
    public long[] AttentionMask { get; set; } = [];

    /// <summary>Token types.</summary>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>
/// The <c>CustomMapping</c> factory ML.NET finds by contract name when it loads a saved <see cref="TokenizeForRobertaTransformer"/>
/// over single texts: tokenizes with the spec the model carries. Used by saved models; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping : CustomMappingFactory<TokenizeForRobertaMappingInput, TokenizeForRobertaMappingOutput>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = "Microsoft.ML.RobertaZh.TokenizeForRoberta.v1";

    /// <inheritdoc/>
    public override Action<TokenizeForRobertaMappingInput, TokenizeForRobertaMappingOutput> GetMapping() => (input, output) =>
        Fill(output, TokenizerSpec.Read(input.Spec).Encode(input.Text ?? "", null));

    internal static void Fill(TokenizeForRobertaMappingOutput output, TokenizedRow row)
    {
        output.InputIds = row.InputIds;
        output.AttentionMask = row.AttentionMask;
        output.TokenTypeIds = row.TokenTypeIds;
    }
}

/// <summary>
/// The <c>CustomMapping</c> factory for saved <see cref="TokenizeForRobertaTransformer"/>s over sentence pairs. Used by saved
/// models; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaPairMapping : CustomMappingFactory<TokenizeForRobertaPairMappingInput, TokenizeForRobertaMappingOutput>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = "Microsoft.ML.RobertaZh.TokenizeForRoberta.Pair.v1";

    /// <inheritdoc/>
    public override Action<TokenizeForRobertaPairMappingInput, TokenizeForRobertaMappingOutput> GetMapping() => (input, output) =>
        TokenizeForRobertaMapping.Fill(output, TokenizerSpec.Read(input.Spec).Encode(input.Text ?? "", input.Pair ?? ""));
}
