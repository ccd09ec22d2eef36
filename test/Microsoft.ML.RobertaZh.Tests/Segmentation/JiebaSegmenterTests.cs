using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class JiebaSegmenterTests
{
    private static readonly JiebaSegmenter Tiny = TinySegmenter.Create();

    private static string[] Words(string slashJoined) => slashJoined.Split('/');

    [Fact]
    public void TotalAndEntriesFollowGenPfdict()
    {
        // jieba: total 70 (丁 0 counts nothing), len(FREQ) 22 (15 words + the prefixes 中文字符's "中文字" … plus "C", "C+", "a", "中", "文", "字", "符").
        Assert.Equal(70, Tiny.Total);
        Assert.Equal(22, Tiny.EntryCount);
        Assert.Equal(0, Tiny.GetFrequency("丁"));
        Assert.Equal(0, Tiny.GetFrequency("中"));
        Assert.Null(Tiny.GetFrequency("己"));
        Assert.Equal(6, Tiny.GetFrequency("中文字"));
    }

    [Theory]
    // text, default, no HMM, full, search — all from jieba 0.42.1 on the tiny dictionary.
    [InlineData("甲乙丙", "甲乙/丙", "甲乙/丙", "甲乙/乙丙", "甲乙/丙")]
    [InlineData("丁戊", "丁戊", "丁戊", "丁戊", "丁戊")]
    [InlineData("丁己", "丁/己", "丁/己", "丁/己", "丁/己")]
    [InlineData("中文字符号", "中文字/符号", "中文字/符号", "中文/中文字/中文字符/文字/字符/符号", "中文/文字/中文字/符号")]
    [InlineData("庚辛庚辛", "庚辛/庚辛", "庚/辛/庚/辛", "庚/辛/庚/辛", "庚辛/庚辛")]
    [InlineData("ab中文cd", "ab/中文/cd", "ab/中文/cd", "ab/中文/cd", "ab/中文/cd")]
    [InlineData("abc中文def", "ab/c/中文/def", "ab/c/中文/def", "abc/中文/def", "ab/c/中文/def")]
    [InlineData("ab1中x2y", "ab/1/中/x2y", "ab/1/中/x2y", "ab1/中/x2y", "ab/1/中/x2y")]
    [InlineData("C++语言", "C++/语/言", "C++/语/言", "C++/语/言", "C++/语/言")]
    [InlineData("中文字符", "中文字符", "中文字符", "中文/中文字/中文字符/文字/字符", "中文/文字/字符/中文字/中文字符")]
    [InlineData("文字符号", "文字/符号", "文字/符号", "文字/字符/符号", "文字/符号")]
    [InlineData("甲乙丙中文字符号", "甲乙/丙/中文字/符号", "甲乙/丙/中文字/符号", "甲乙/乙丙/中文/中文字/中文字符/文字/字符/符号", "甲乙/丙/中文/文字/中文字/符号")]
    public void ModesMatchJieba(string text, string accurate, string noHmm, string full, string search)
    {
        Assert.Equal(Words(accurate), Tiny.Cut(text));
        Assert.Equal(Words(noHmm), Tiny.Cut(text, SegmentationMode.NoHmm));
        Assert.Equal(Words(full), Tiny.Cut(text, SegmentationMode.Full));
        Assert.Equal(Words(search), Tiny.Cut(text, SegmentationMode.Search));
    }

    [Fact]
    public void RouteTieGoesToTheLongerFirstWord()
    {
        // 甲乙|丙 and 甲|乙丙 score exactly the same (all four words have frequency 5): calc's tuple max takes the larger end.
        Assert.Equal(["甲乙", "丙"], Tiny.Cut("甲乙丙", SegmentationMode.NoHmm));
        var skewed = TinySegmenter.Create(TinySegmenter.Dictionary.Replace("甲乙 5", "甲乙 4", StringComparison.Ordinal));
        Assert.Equal(["甲", "乙丙"], skewed.Cut("甲乙丙", SegmentationMode.NoHmm));
    }

    [Fact]
    public void FullModeYieldsEmptyStringsAroundWhitespaceBetweenBlocks()
    {
        Assert.Equal(["a", "", " ", "", "b"], Tiny.Cut("a b", SegmentationMode.Full));
        Assert.Equal(["甲", "", " ", "", "乙"], Tiny.Cut("甲 乙", SegmentationMode.Full));
        // Non-whitespace pieces stay whole in full mode; \r\n is one token in every mode.
        Assert.Equal(["，。", " ", "", "甲", "", "\r\n", ""], Tiny.Cut("，。 甲\r\n", SegmentationMode.Full));
        Assert.Equal(["，", "。", " ", "甲", "\r\n"], Tiny.Cut("，。 甲\r\n"));
    }

    [Fact]
    public void FullModeJoinsConsecutiveSingleEdgeAsciiWordsInTheEnglishBuffer()
    {
        Assert.Equal(["abc", "中文", "def"], Tiny.Cut("abc中文def", SegmentationMode.Full));
        Assert.Equal(["ab1", "中", "x2y"], Tiny.Cut("ab1中x2y", SegmentationMode.Full));
    }

    [Fact]
    public void SearchModeAddsDictionaryNGramsBeforeLongWords()
    {
        // 中文字符 (4 chars): 2-grams 中文 文字 字符, then 3-gram 中文字 (文字符 is not a word), then the word.
        Assert.Equal(["中文", "文字", "字符", "中文字", "中文字符"], Tiny.Cut("中文字符", SegmentationMode.Search));
        Assert.Equal(["中文", "文字", "字符", "中文字", "中文字符"], Tiny.Cut("中文字符", SegmentationMode.SearchNoHmm));
        var tokens = Tiny.Tokenize("甲中文字符", SegmentationMode.Search);
        Assert.Equal(
            [("甲", 0, 1), ("中文", 1, 3), ("文字", 2, 4), ("字符", 3, 5), ("中文字", 1, 4), ("中文字符", 1, 5)],
            tokens.Select(t => (t.Word, t.CodePointStart, t.CodePointEnd)));
    }

    [Fact]
    public void HmmJoinsUnknownRunsOnlyInTheHmmModes()
    {
        Assert.Equal(["庚辛", "庚辛"], Tiny.Cut("庚辛庚辛"));
        Assert.Equal(["庚", "辛", "庚", "辛"], Tiny.Cut("庚辛庚辛", SegmentationMode.NoHmm));
        Assert.Equal(["己", "己", "己"], Tiny.Cut("己己己"));
    }

    [Fact]
    public void SurrogatePairsAreOneCharacterAndOffsetsCountBothWays()
    {
        // U+20BB7 (𠮷) is outside re_han_default: one word per code point, never split into halves.
        Assert.Equal(["𠮷", "𠮷", "甲乙"], Tiny.Cut("𠮷𠮷甲乙"));
        Assert.Equal(["𠮷𠮷", "甲乙"], Tiny.Cut("𠮷𠮷甲乙", SegmentationMode.Full));
        var tokens = Tiny.Tokenize("𠮷甲乙😀丙");
        Assert.Equal(
            [new SegmentToken("𠮷", 0, 2, 0, 1), new SegmentToken("甲乙", 2, 4, 1, 3), new SegmentToken("😀", 4, 6, 3, 4),
             new SegmentToken("丙", 6, 7, 4, 5)],
            tokens);
        // A lone surrogate is one character too (Python would hold it as one code point).
        Assert.Equal(["\uD842", "甲"], Tiny.Cut("\uD842甲"));
    }

    [Fact]
    public void TokenizeOffsetsConcatenateToTheText()
    {
        const string text = "ab1中x2y 𠮷，\r\n甲乙丙";
        var tokens = Tiny.Tokenize(text, SegmentationMode.NoHmm);
        Assert.Equal(text, string.Concat(tokens.Select(t => t.Word)));
        foreach (var t in tokens) Assert.Equal(t.Word, text[t.Start..t.End]);
        Assert.Throws<ArgumentException>(() => Tiny.Tokenize(text, SegmentationMode.Full));
    }

    [Fact]
    public void EmptyAndWhitespaceOnlyText()
    {
        Assert.Empty(Tiny.Cut(""));
        Assert.Empty(Tiny.Cut("", SegmentationMode.Full));
        Assert.Equal(["\u3000", " ", "\t"], Tiny.Cut("\u3000 \t"));
        Assert.Equal(["", "\u3000", "", " ", "", "\t", ""], Tiny.Cut("\u3000 \t", SegmentationMode.Full));
    }

    [Fact]
    public void AddWordAndSuggestFrequencyFollowJieba()
    {
        var segmenter = TinySegmenter.Create();
        // jieba on the tiny dictionary: suggest_freq('乙丙丁') = 1, suggest_freq('甲乙') = 6, suggest_freq('己庚') = 1.
        Assert.Equal(1, segmenter.SuggestFrequency("乙丙丁"));
        Assert.Equal(6, segmenter.SuggestFrequency("甲乙"));
        Assert.Equal(1, segmenter.SuggestFrequency("己庚"));
        segmenter.AddWord("丙中", 30);
        Assert.Equal(100, segmenter.Total);
        Assert.Equal(["甲乙", "丙中", "文字", "符号"], segmenter.Cut("甲乙丙中文字符号"));
        // Frequency 0 deletes the word and keeps the HMM from rebuilding it (jieba's del_word / force split).
        segmenter.AddWord("庚辛", 0);
        Assert.Equal(["庚", "辛"], segmenter.Cut("庚辛"));
        Assert.Throws<ArgumentOutOfRangeException>(() => segmenter.AddWord("甲", -1));
        Assert.Throws<ArgumentException>(() => segmenter.AddWord(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => segmenter.AddWord("甲", long.MaxValue));
        var e = Assert.Throws<InvalidDataException>(() => segmenter.LoadUserDictionary(TinySegmenter.Utf8("丙丁 2\n\n丁丙 9223372036854775807\n"), "u.txt"));
        Assert.StartsWith("u.txt:3: ", e.Message, StringComparison.Ordinal);
    }
}
