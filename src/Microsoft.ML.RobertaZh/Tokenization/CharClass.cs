namespace Microsoft.ML.RobertaZh.Tokenization;

/// <summary>
/// Character classes of BERT's basic tokenizer, code point for code point as Hugging Face's BertTokenizerFast
/// (<c>tokenizers: normalizers/bert.rs</c>, <c>pre_tokenizers/bert.rs</c>), except <see cref="IsCjk"/> which follows
/// <see cref="ChineseCharRanges"/>. Non-ASCII punctuation, "other" and mark sets come from <see cref="UnicodeTables"/>, which records
/// the (pre-Unicode-9) tables that library uses; .NET's newer tables would classify ~100 later additions differently.
/// </summary>
internal static class CharClass
{
    [Flags]
    private enum Flags : byte
    {
        None = 0,
        Control = 1,      // deleted by clean_text (NUL, U+FFFD, Cc/Cf/Co/Cs)
        Whitespace = 2,   // mapped to ' ' by clean_text, a word boundary
        Cjk = 4,          // isolated by handle_chinese_chars
        Punctuation = 8,  // isolated by the pre-tokenizer
        Mark = 16,        // non-spacing mark, deleted by strip_accents
    }

    // One byte per BMP code point; supplementary planes use binary search over the (short) range tables.
    private static readonly Flags[] Bmp = BuildBmp();

    /// <summary>
    /// CJK Unified Ideographs (<c>_is_chinese_char</c>): 4E00–9FFF, 3400–4DBF, 20000–2A6DF, 2A700–2B73F, 2B740–2B81F,
    /// Ext-E, F900–FAFF, 2F800–2FA1F. Ext-E is 2B920–2CEAF in HF's Rust tokenizer (<c>normalizers/bert.rs</c>, the
    /// default) and 2B820–2CEAF in Google's BERT and HF's Python tokenizer (<paramref name="ranges"/> =
    /// <see cref="ChineseCharRanges.GoogleBert"/>); U+2B820–U+2B91F are isolated only by the latter.
    /// </summary>
    public static bool IsCjk(int cp, ChineseCharRanges ranges = ChineseCharRanges.HuggingFaceFast) =>
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= (ranges == ChineseCharRanges.GoogleBert ? 0x2B820 : 0x2B920) && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);

    /// <summary>
    /// Whitespace for clean_text and the pre-tokenizer: tab, LF, CR and Rust's <c>char::is_whitespace</c> (White_Space).
    /// VT, FF, U+0085 and U+001C–U+001F are controls, which clean_text deletes first.
    /// </summary>
    public static bool IsWhitespace(int cp) => cp < 0x10000 && (Bmp[cp] & Flags.Whitespace) != 0;

    /// <summary>Deleted by clean_text: NUL, U+FFFD and categories Cc, Cf, Co, Cs except tab, LF and CR.</summary>
    public static bool IsControl(int cp) =>
        cp < 0x10000 ? (Bmp[cp] & Flags.Control) != 0 : InRanges(UnicodeTables.OtherRanges, cp);

    /// <summary>Punctuation: ASCII 33–47, 58–64, 91–96, 123–126, or category P* (HF's tables).</summary>
    public static bool IsPunctuation(int cp) =>
        cp < 0x10000 ? (Bmp[cp] & Flags.Punctuation) != 0 : InRanges(UnicodeTables.PunctuationRanges, cp);

    /// <summary>Non-spacing mark (Mn), which strip_accents deletes after NFD.</summary>
    public static bool IsNonSpacingMark(int cp) =>
        cp < 0x10000 ? (Bmp[cp] & Flags.Mark) != 0 : InRanges(UnicodeTables.MarkRanges, cp);

    /// <summary>True when the code point is a word character that neither clean_text nor the pre-tokenizer touch.</summary>
    public static bool IsPlainBmp(int cp) => cp < 0x10000 && Bmp[cp] == Flags.None;

    private static bool InRanges(ReadOnlySpan<int> ranges, int cp)
    {
        int lo = 0, hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) hi = mid - 1;
            else if (cp > ranges[(2 * mid) + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    private static Flags[] BuildBmp()
    {
        var table = new Flags[0x10000];
        for (int cp = 0; cp < 0x80; cp++)
        {
            if (cp is '\t' or '\n' or '\r' or ' ') table[cp] = Flags.Whitespace;
            else if (cp < 0x20 || cp == 0x7F) table[cp] = Flags.Control;
            else if (cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
                table[cp] = Flags.Punctuation;
        }
        Mark(table, UnicodeTables.OtherRanges, Flags.Control);
        Mark(table, UnicodeTables.PunctuationRanges, Flags.Punctuation);
        Mark(table, UnicodeTables.MarkRanges, Flags.Mark);
        table[0xFFFD] |= Flags.Control;
        // Rust char::is_whitespace beyond ASCII (U+0085 is Cc and deleted before whitespace is considered).
        foreach (int cp in (ReadOnlySpan<int>)[0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]) table[cp] = Flags.Whitespace;
        for (int cp = 0x2000; cp <= 0x200A; cp++) table[cp] = Flags.Whitespace;
        for (int cp = 0; cp < 0x10000; cp++)
            if (IsCjk(cp)) table[cp] |= Flags.Cjk;
        return table;
    }

    private static void Mark(Flags[] table, ReadOnlySpan<int> ranges, Flags flag)
    {
        for (int i = 0; i < ranges.Length; i += 2)
            for (int cp = ranges[i]; cp <= ranges[i + 1] && cp < 0x10000; cp++) table[cp] |= flag;
    }
}
