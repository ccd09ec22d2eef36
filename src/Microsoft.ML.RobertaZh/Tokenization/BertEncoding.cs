namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>A token's span in the text it came from: UTF-16 indices, end exclusive; (0, 0) for added special tokens and padding.</summary>
/// <param name="Start">Index of the first UTF-16 code unit.</param>
/// <param name="End">Index one past the last UTF-16 code unit.</param>
public readonly record struct TokenOffset(int Start, int End)
{
    /// <summary>Number of UTF-16 code units covered.</summary>
    public int Length => End - Start;
}

/// <summary>
/// The result of <see cref="BertTokenizer.Encode"/> (HF's <c>Encoding</c>; named so as not to clash with
/// <see cref="System.Text.Encoding"/>): parallel lists with one entry per token, special tokens and padding included.
/// </summary>
public sealed class BertEncoding
{
    private readonly int[] _ids;
    private readonly int[] _typeIds;
    private readonly int[] _attentionMask;
    private readonly int[] _specialTokensMask;
    private readonly string[] _tokens;
    private readonly TokenOffset[] _offsets;

    internal BertEncoding(int[] ids, int[] typeIds, int[] attentionMask, int[] specialTokensMask, string[] tokens, TokenOffset[] offsets)
    {
        _ids = ids;
        _typeIds = typeIds;
        _attentionMask = attentionMask;
        _specialTokensMask = specialTokensMask;
        _tokens = tokens;
        _offsets = offsets;
    }

    /// <summary>Number of tokens (padding included).</summary>
    public int Count => _ids.Length;

    /// <summary>Token ids (<c>input_ids</c>).</summary>
    public IReadOnlyList<int> Ids => _ids;

    /// <summary>Segment ids (<c>token_type_ids</c>): 0 for [CLS] A [SEP], 1 for B [SEP], 0 for padding.</summary>
    public IReadOnlyList<int> TypeIds => _typeIds;

    /// <summary>1 for real tokens, 0 for padding (<c>attention_mask</c>).</summary>
    public IReadOnlyList<int> AttentionMask => _attentionMask;

    /// <summary>1 for the added [CLS]/[SEP] and for padding, 0 for tokens of the text (<c>special_tokens_mask</c>).</summary>
    public IReadOnlyList<int> SpecialTokensMask => _specialTokensMask;

    /// <summary>The token strings (vocabulary entries, so [UNK] for unknown words).</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Span of each token in its own text (the first or the second of a pair), in UTF-16 code units; a ## piece covers
    /// only its own characters and an unknown word its whole word.
    /// </summary>
    public IReadOnlyList<TokenOffset> Offsets => _offsets;

    /// <summary>The ids as a span, for copying into a batch without enumerating.</summary>
    public ReadOnlySpan<int> IdsSpan => _ids;

    /// <summary>The type ids as a span.</summary>
    public ReadOnlySpan<int> TypeIdsSpan => _typeIds;

    /// <summary>The attention mask as a span.</summary>
    public ReadOnlySpan<int> AttentionMaskSpan => _attentionMask;

    /// <summary>Returns this encoding padded on the right to <paramref name="length"/> tokens (itself when already that long).</summary>
    internal BertEncoding PadTo(int length, int padId, string padToken)
    {
        int n = _ids.Length;
        if (length <= n) return this;
        var ids = new int[length];
        var typeIds = new int[length];
        var mask = new int[length];
        var special = new int[length];
        var tokens = new string[length];
        var offsets = new TokenOffset[length];
        _ids.CopyTo(ids, 0);
        _typeIds.CopyTo(typeIds, 0);
        _attentionMask.CopyTo(mask, 0);
        _specialTokensMask.CopyTo(special, 0);
        _tokens.CopyTo(tokens, 0);
        _offsets.CopyTo(offsets, 0);
        ids.AsSpan(n).Fill(padId);
        special.AsSpan(n).Fill(1);
        tokens.AsSpan(n).Fill(padToken);
        return new BertEncoding(ids, typeIds, mask, special, tokens, offsets);
    }
}
