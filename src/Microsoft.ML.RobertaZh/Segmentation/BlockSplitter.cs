namespace Microsoft.ML.RobertaZh.Segmentation;

/// <summary>
/// The character classes jieba 0.42.1 splits its input with, as plain predicates instead of regular expressions.
/// </summary>
/// <remarks>
/// jieba's <c>re_han_default</c> is <c>[\u4E00-\u9FD5a-zA-Z0-9+#&amp;\._%\-]+</c>: runs of those characters ("han blocks")
/// go to the dictionary; everything between them is split by <c>re_skip_default = (\r\n|\s)</c> with Python 3's
/// Unicode <c>\s</c>. All han-block characters are in the BMP, so inside a han block UTF-16 units and code points agree.
/// </remarks>
internal static class BlockSplitter
{
    /// <summary>True for a character of jieba's <c>re_han_default</c> class.</summary>
    public static bool IsHanBlockChar(char c) =>
        (c >= '\u4E00' && c <= '\u9FD5') || IsAsciiAlphanumeric(c)
        || c is '+' or '#' or '&' or '.' or '_' or '%' or '-';

    /// <summary>True for jieba's <c>re_eng</c> class <c>[a-zA-Z0-9]</c>.</summary>
    public static bool IsAsciiAlphanumeric(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>True for the CJK range of finalseg's <c>re_han</c> (<c>[\u4E00-\u9FD5]</c>), the only characters the HMM decodes.</summary>
    public static bool IsHmmHanChar(char c) => c >= '\u4E00' && c <= '\u9FD5';

    /// <summary>
    /// True for a character Python 3's <c>\s</c> matches in a str pattern: U+0009–000D, U+001C–001F, U+0020, U+0085,
    /// U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000 (checked against CPython 3.11 over every code point).
    /// </summary>
    public static bool IsPythonWhitespace(char c)
    {
        if (c <= '\u0020') return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001C' && c <= '\u001F');
        if (c < '\u0085') return false;
        return c is '\u0085' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000'
            || (c >= '\u2000' && c <= '\u200A');
    }

    /// <summary>The end (exclusive) of the han block starting at <paramref name="start"/>.</summary>
    public static int HanBlockEnd(ReadOnlySpan<char> text, int start)
    {
        int i = start;
        while (i < text.Length && IsHanBlockChar(text[i])) i++;
        return i;
    }

    /// <summary>The end (exclusive) of the run of non-han-block characters starting at <paramref name="start"/>.</summary>
    public static int OtherBlockEnd(ReadOnlySpan<char> text, int start)
    {
        int i = start;
        while (i < text.Length && !IsHanBlockChar(text[i])) i++;
        return i;
    }

    /// <summary>
    /// The length in UTF-16 units of the whitespace token of <c>re_skip_default</c> at <paramref name="index"/>:
    /// 2 for <c>\r\n</c>, 1 for another <c>\s</c> character, 0 when the character there is not whitespace.
    /// </summary>
    public static int WhitespaceLength(ReadOnlySpan<char> text, int index)
    {
        char c = text[index];
        if (c == '\r' && index + 1 < text.Length && text[index + 1] == '\n') return 2;
        return IsPythonWhitespace(c) ? 1 : 0;
    }

    /// <summary>The length in UTF-16 units (1 or 2) of the code point at <paramref name="index"/>; a lone surrogate counts as one.</summary>
    public static int CodePointLength(ReadOnlySpan<char> text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    /// <summary>The number of code points of <paramref name="text"/>, as Python's <c>len</c> counts them.</summary>
    public static int CodePointCount(ReadOnlySpan<char> text)
    {
        int count = 0;
        for (int i = 0; i < text.Length; i += CodePointLength(text, i)) count++;
        return count;
    }
}
