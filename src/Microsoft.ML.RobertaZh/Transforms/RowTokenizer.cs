using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Transforms;

/// <summary>The three id vectors of one row, as int64 (what ONNX graphs take).</summary>
internal readonly record struct TokenizedRow(long[] InputIds, long[] AttentionMask, long[] TokenTypeIds);

/// <summary>
/// Encodes one row (a text, or a pair) with fixed settings: truncation to the maximum length, padding to it in fixed-length
/// mode. Thread-safe (the tokenizer is); used by the transformer's views, its row mapper and the saved native mapping.
/// </summary>
internal sealed class RowTokenizer
{
    private readonly EncodeOptions _encode;

    public RowTokenizer(BertTokenizer tokenizer, int maxLength, bool fixedLength, TruncationStrategy truncation)
    {
        Tokenizer = tokenizer;
        MaxLength = maxLength;
        FixedLength = fixedLength;
        Truncation = truncation;
        _encode = new EncodeOptions { MaxLength = maxLength, Truncation = truncation, Padding = fixedLength ? PaddingStrategy.MaxLength : PaddingStrategy.None };
    }

    public BertTokenizer Tokenizer { get; }

    public int MaxLength { get; }

    public bool FixedLength { get; }

    public TruncationStrategy Truncation { get; }

    /// <summary>The ids, mask and token types of <paramref name="text"/> (and <paramref name="pair"/>).</summary>
    /// <exception cref="ArgumentException">The truncation strategy cannot shorten the row enough (for example <c>OnlySecond</c> with a long first text).</exception>
    public TokenizedRow Encode(string text, string? pair)
    {
        var e = Tokenizer.Encode(text, pair, _encode);
        return new TokenizedRow(Widen(e.IdsSpan), Widen(e.AttentionMaskSpan), Widen(e.TypeIdsSpan));
    }

    private static long[] Widen(ReadOnlySpan<int> values)
    {
        var result = new long[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
