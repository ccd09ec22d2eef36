using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.RobertaZh.Transforms.Persistence;

// The types ML.NET instantiates when it loads a model zip holding a saved TokenizeForRoberta step (see NativeTokenizerChain):
// one CustomMapping factory per output shape, found by contract name. A custom mapping's column types are fixed at compile
// time, so fixed-length steps keep vectors of known size after loading only for the lengths listed here; the variable-size
// factory serves dynamic-length steps.

/// <summary>The input row of the saved tokenization mapping. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizeForRobertaMappingInput
{
    /// <summary>The (first) text.</summary>
    [ColumnName(NativeTokenizerChain.TextColumn)]
    public string Text { get; set; } = "";

    /// <summary>The second text (ignored unless the spec says the step reads pairs).</summary>
    [ColumnName(NativeTokenizerChain.PairColumn)]
    public string Pair { get; set; } = "";

    /// <summary>The tokenizer spec carried by the saved model.</summary>
    [ColumnName(NativeTokenizerChain.SpecColumn)]
    public ReadOnlyMemory<char> Spec { get; set; }
}

/// <summary>The id columns of a saved tokenization mapping. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITokenizedIds
{
    /// <summary>Token ids.</summary>
    long[] InputIds { get; set; }

    /// <summary>Attention mask.</summary>
    long[] AttentionMask { get; set; }

    /// <summary>Token types.</summary>
    long[] TokenTypeIds { get; set; }
}

/// <summary>The shared mapping of the saved tokenization factories. Used by saved models; not meant to be used directly.</summary>
/// <typeparam name="TOutput">The output row, whose attributes give the column types.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TokenizeForRobertaMappingBase<TOutput> : CustomMappingFactory<TokenizeForRobertaMappingInput, TOutput>
    where TOutput : class, ITokenizedIds, new()
{
    /// <inheritdoc/>
    public override Action<TokenizeForRobertaMappingInput, TOutput> GetMapping() => (input, output) =>
    {
        var spec = TokenizerSpec.Read(input.Spec);
        var row = spec.Rows.Encode(input.Text ?? "", spec.Pairs ? input.Pair ?? "" : null);
        output.InputIds = row.InputIds;
        output.AttentionMask = row.AttentionMask;
        output.TokenTypeIds = row.TokenTypeIds;
    };
}

/// <summary>Variable-size id columns (dynamic-length steps). Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of dynamic-length steps. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping : TokenizeForRobertaMappingBase<TokenizedIds>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Dynamic";
}

/// <summary>Id columns of known size 16. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds16 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(16)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(16)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(16)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 16 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping16 : TokenizeForRobertaMappingBase<TokenizedIds16>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed16";
}

/// <summary>Id columns of known size 32. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds32 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(32)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(32)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(32)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 32 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping32 : TokenizeForRobertaMappingBase<TokenizedIds32>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed32";
}

/// <summary>Id columns of known size 64. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds64 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(64)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(64)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(64)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 64 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping64 : TokenizeForRobertaMappingBase<TokenizedIds64>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed64";
}

/// <summary>Id columns of known size 128. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds128 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(128)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(128)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(128)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 128 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping128 : TokenizeForRobertaMappingBase<TokenizedIds128>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed128";
}

/// <summary>Id columns of known size 256. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds256 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(256)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(256)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(256)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 256 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping256 : TokenizeForRobertaMappingBase<TokenizedIds256>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed256";
}

/// <summary>Id columns of known size 384. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds384 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(384)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(384)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(384)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 384 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping384 : TokenizeForRobertaMappingBase<TokenizedIds384>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed384";
}

/// <summary>Id columns of known size 512. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TokenizedIds512 : ITokenizedIds
{
    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.InputIdsColumn), VectorType(512)]
    public long[] InputIds { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.AttentionMaskColumn), VectorType(512)]
    public long[] AttentionMask { get; set; } = [];

    /// <inheritdoc/>
    [ColumnName(NativeTokenizerChain.TokenTypeIdsColumn), VectorType(512)]
    public long[] TokenTypeIds { get; set; } = [];
}

/// <summary>The factory of fixed-length steps of 512 tokens. Used by saved models; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(Contract)]
public sealed class TokenizeForRobertaMapping512 : TokenizeForRobertaMappingBase<TokenizedIds512>
{
    /// <summary>The contract name saved in model zips.</summary>
    public const string Contract = NativeTokenizerChain.ContractPrefix + "Fixed512";
}
