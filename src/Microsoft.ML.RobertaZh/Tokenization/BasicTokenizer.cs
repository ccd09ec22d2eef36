
namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// BERT's basic tokenizer, in the order of HF's BertNormalizer then BertPreTokenizer: delete NUL, U+FFFD and controls;
/// map whitespace to word breaks; isolate CJK ideographs; strip accents (NFD, drop Mn) and lower-case; isolate each
/// punctuation char. Walks the text once, writing the normalized words with their original UTF-16 spans.
/// </summary>
internal sealed class BasicTokenizer
{
    private readonly CharNormalizer _normalizer;
    private readonly bool _cleanText;
    private readonly bool _tokenizeChineseChars;
    private readonly ChineseCharRanges _chineseCharRanges;

    public BasicTokenizer(bool lowercase, bool stripAccents, bool tokenizeChineseChars, bool cleanText, ChineseCharRanges chineseCharRanges)
    {
        _chineseCharRanges = chineseCharRanges;
        _normalizer = CharNormalizers.Get(lowercase, stripAccents);
        _tokenizeChineseChars = tokenizeChineseChars;
        _cleanText = cleanText;
    }

    /// <summary>
    /// Appends the words of <paramref name="text"/> to <paramref name="output"/>; offsets are relative to
    /// <paramref name="text"/> plus <paramref name="offset"/>.
    /// </summary>
    public void Split(ReadOnlySpan<char> text, int offset, NormalizedWords output)
    {
        Span<int> mapped = stackalloc int[CharNormalizer.MaxExpansion];
        for (int i = 0; i < text.Length;)
        {
            int cp, width;
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(c, text[i + 1]);
                width = 2;
            }
            else
            {
                cp = c;   // a lone surrogate is kept as is (Rust strings cannot hold one; .NET strings can)
                width = 1;
            }
            int start = offset + i, end = start + width;
            i += width;

            if (CharClass.IsPlainBmp(cp) && _normalizer.IsUnchangedBmp(cp))
            {
                output.Append(cp, start, end);   // the common case: an ordinary letter, digit or symbol
                continue;
            }
            if (_cleanText)
            {
                if (CharClass.IsControl(cp) || cp == 0) continue;
            }
            if (IsBreak(cp))
            {
                output.EndWord();
                continue;
            }
            bool isolate = _tokenizeChineseChars && CharClass.IsCjk(cp, _chineseCharRanges);
            if (isolate) output.EndWord();
            int n = _normalizer.Map(cp, mapped);
            for (int k = 0; k < n; k++)
            {
                int m = mapped[k];
                if (IsBreak(m)) output.EndWord();
                else if (CharClass.IsPunctuation(m)) output.AppendIsolated(m, start, end);
                else output.Append(m, start, end);
            }
            if (isolate) output.EndWord();
        }
        output.EndWord();
    }

    // With clean_text the whitespace set is tab/LF/CR + Rust's White_Space (VT, FF, U+0085 were deleted as controls);
    // without it the pre-tokenizer still splits on all of Rust's char::is_whitespace.
    private bool IsBreak(int cp) => CharClass.IsWhitespace(cp) || (!_cleanText && cp is 0x0B or 0x0C or 0x85);
}

/// <summary>The four shared <see cref="CharNormalizer"/> instances (lower-case × strip accents), built on first use.</summary>
internal static class CharNormalizers
{
    private static readonly Lazy<CharNormalizer>[] Instances =
    [
        new(() => new CharNormalizer(false, false)), new(() => new CharNormalizer(false, true)),
        new(() => new CharNormalizer(true, false)), new(() => new CharNormalizer(true, true)),
    ];

    public static CharNormalizer Get(bool lowercase, bool stripAccents) =>
        Instances[(lowercase ? 2 : 0) + (stripAccents ? 1 : 0)].Value;
}
