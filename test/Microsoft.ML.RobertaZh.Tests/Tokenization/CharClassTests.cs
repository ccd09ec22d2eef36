using System.Globalization;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

public class CharClassTests
{
    // Google's ranges (HF Python's too); HF Rust, the default, differs only in starting Ext-E at 0x2B920.
    public static TheoryData<int, int> CjkRanges => new()
    {
        { 0x4E00, 0x9FFF }, { 0x3400, 0x4DBF }, { 0x20000, 0x2A6DF }, { 0x2A700, 0x2B73F }, { 0x2B740, 0x2B81F },
        { 0x2B820, 0x2CEAF }, { 0xF900, 0xFAFF }, { 0x2F800, 0x2FA1F },
    };

    [Theory]
    [MemberData(nameof(CjkRanges))]
    public void CjkRangeBoundaries(int first, int last)
    {
        const ChineseCharRanges google = ChineseCharRanges.GoogleBert;
        Assert.True(CharClass.IsCjk(first, google));
        Assert.True(CharClass.IsCjk(first + 1, google));
        Assert.True(CharClass.IsCjk(last - 1, google));
        Assert.True(CharClass.IsCjk(last, google));
        // Just outside: only the adjacent Ext-C/D/E ranges touch each other.
        bool before = first - 1 is 0x2B73F or 0x2B81F;
        bool after = last + 1 is 0x2B740 or 0x2B820;
        Assert.Equal(before, CharClass.IsCjk(first - 1, google));
        Assert.Equal(after, CharClass.IsCjk(last + 1, google));
        // HF's Rust ranges: the same everywhere except U+2B820..U+2B91F.
        foreach (int cp in (int[])[first - 1, first, first + 1, last - 1, last, last + 1])
            Assert.Equal(CharClass.IsCjk(cp, google) && cp is not (>= 0x2B820 and <= 0x2B91F), CharClass.IsCjk(cp));
    }

    [Fact]
    public void ExtensionEStartsWhereEachReferenceSays()
    {
        Assert.False(CharClass.IsCjk(0x2B820));
        Assert.False(CharClass.IsCjk(0x2B91F));
        Assert.True(CharClass.IsCjk(0x2B920));
        Assert.True(CharClass.IsCjk(0x2B820, ChineseCharRanges.GoogleBert));
        Assert.True(CharClass.IsCjk(0x2B91F, ChineseCharRanges.GoogleBert));
        // Through the tokenizer: 𫠠 (U+2B820) is glued to its neighbours by default and isolated with Google's ranges.
        string text = "x\U0002B820y";
        Assert.Equal(["[UNK]"], TinyVocab.Tokenizer().Tokenize(text));
        Assert.Equal(["x", "[UNK]", "y"], TinyVocab.Tokenizer(new BertTokenizerOptions { ChineseCharRanges = ChineseCharRanges.GoogleBert }).Tokenize(text));
    }

    [Theory]
    [InlineData(0x3000)] // ideographic space
    [InlineData(0x3001)] // 、 (punctuation, not CJK)
    [InlineData(0xFF01)] // fullwidth !
    [InlineData(0xFF21)] // fullwidth A
    [InlineData(0x3042)] // hiragana
    [InlineData(0xAC00)] // hangul
    [InlineData(0x2E80)] // CJK radical
    [InlineData(0x2CEB0)] // Ext F
    [InlineData(0x30000)] // Ext G
    public void NotCjk(int cp) => Assert.False(CharClass.IsCjk(cp));

    [Fact]
    public void AsciiPunctuationIsEveryNonAlphanumericSymbol()
    {
        for (int cp = 0x21; cp < 0x7F; cp++)
        {
            bool alnum = char.IsAsciiLetterOrDigit((char)cp);
            Assert.Equal(!alnum, CharClass.IsPunctuation(cp));
        }
        Assert.False(CharClass.IsPunctuation(' '));
    }

    [Theory]
    [InlineData(0x3002, true)]  // 。 Po
    [InlineData(0xFF0C, true)]  // ， Po
    [InlineData(0x300A, true)]  // 《 Ps
    [InlineData(0x300B, true)]  // 》 Pe
    [InlineData(0x2014, true)]  // — Pd
    [InlineData(0x201C, true)]  // “ Pi
    [InlineData(0x201D, true)]  // ” Pf
    [InlineData(0xFF3F, true)]  // ＿ Pc
    [InlineData(0x00A1, true)]  // ¡
    [InlineData(0xFFE5, false)] // ￥ Sc
    [InlineData(0x00A5, false)] // ¥ Sc
    [InlineData(0x00B0, false)] // ° So
    [InlineData(0xFF0B, false)] // ＋ Sm
    [InlineData(0x2E42, true)]  // last P* of Unicode 8 in that block
    [InlineData(0x2E43, false)] // added in Unicode 9: not in HF's tables
    public void UnicodePunctuation(int cp, bool expected) => Assert.Equal(expected, CharClass.IsPunctuation(cp));

    [Theory]
    [InlineData('\t', true)]
    [InlineData('\n', true)]
    [InlineData('\r', true)]
    [InlineData(' ', true)]
    [InlineData(0x00A0, true)]
    [InlineData(0x3000, true)]
    [InlineData(0x2028, true)]
    [InlineData(0x202F, true)]
    [InlineData(0x200B, false)] // zero-width space is Cf, deleted instead
    [InlineData(0x000B, false)] // VT is a control, deleted before whitespace is considered
    [InlineData(0x0085, false)]
    public void Whitespace(int cp, bool expected) => Assert.Equal(expected, CharClass.IsWhitespace(cp));

    [Theory]
    [InlineData(0x0000, true)]
    [InlineData(0x0001, true)]
    [InlineData(0x007F, true)]
    [InlineData(0x0085, true)]
    [InlineData(0x00AD, true)]  // soft hyphen, Cf
    [InlineData(0x200B, true)]
    [InlineData(0x200D, true)]  // ZWJ
    [InlineData(0xFEFF, true)]
    [InlineData(0xE000, true)]  // private use, Co
    [InlineData(0xF0000, true)] // plane 15 private use
    [InlineData(0xFFFD, true)]
    [InlineData('\t', false)]
    [InlineData('\n', false)]
    [InlineData('\r', false)]
    [InlineData(0x0378, false)] // unassigned: HF keeps it (its "other" tables have no Cn)
    [InlineData('a', false)]
    public void Control(int cp, bool expected) => Assert.Equal(expected, CharClass.IsControl(cp));

    [Fact]
    public void TablesAreSortedDisjointRanges()
    {
        foreach (var table in new[] { UnicodeTables.PunctuationRanges.ToArray(), UnicodeTables.OtherRanges.ToArray(), UnicodeTables.MarkRanges.ToArray() })
        {
            Assert.Equal(0, table.Length % 2);
            for (int i = 0; i < table.Length; i += 2)
            {
                Assert.True(table[i] <= table[i + 1]);
                if (i > 0) Assert.True(table[i] > table[i - 1] + 1);
            }
        }
    }

    [Fact]
    public void TablesAgreeWithDotNetCategoriesWhereBothKnowTheCharacter()
    {
        // HF's tables are older than .NET's, so .NET may know more; but every entry must be in the right category.
        var notPunctuation = Expand(UnicodeTables.PunctuationRanges).Where(cp => CharUnicodeInfo.GetUnicodeCategory(cp)
            is < UnicodeCategory.ConnectorPunctuation or > UnicodeCategory.OtherPunctuation).Select(cp => $"U+{cp:X4}");
        // Two were re-categorized later (Po -> So in Unicode 12 and 11.0): HF still splits them.
        Assert.Equal(["U+166D", "U+111C9"], notPunctuation);
        // A few marks were re-categorized Mn -> Mc since; HF still drops them with the accents.
        var notMarks = Expand(UnicodeTables.MarkRanges).Where(cp => CharUnicodeInfo.GetUnicodeCategory(cp) != UnicodeCategory.NonSpacingMark).ToList();
        Assert.True(notMarks.Count <= 8, string.Join(", ", notMarks.Select(cp => $"U+{cp:X4}")));
    }

    private static List<int> Expand(ReadOnlySpan<int> ranges)
    {
        var list = new List<int>();
        for (int i = 0; i < ranges.Length; i += 2)
            for (int cp = ranges[i]; cp <= ranges[i + 1]; cp++) list.Add(cp);
        return list;
    }
}
