#pragma warning disable CA1861 // expected values read best inline; each array is built once per test
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

/// <summary>One rule at a time, on the hand-made vocabulary of <see cref="TinyVocab"/>.</summary>
public class BertTokenizerTests
{
    private static readonly BertTokenizer Lower = TinyVocab.Tokenizer();

    private static string Tok(string text, BertTokenizer? tokenizer = null) => string.Join(" ", (tokenizer ?? Lower).Tokenize(text));

    [Theory]
    [InlineData("中国人", "中 国 人")]
    [InlineData("a中b", "a 中 b")]
    [InlineData("𠮷a", "𠮷 a")]                // Ext-B: one code point, isolated
    [InlineData("丽", "丽")]                   // U+2F800 compatibility ideograph: isolated, then NFD maps it to U+4E3D
    [InlineData("\U0002B920a", "[UNK] a")]     // Ext-E start in HF's Rust ranges (the default): isolated
    [InlineData("\U0002B820a", "[UNK]")]       // Ext-E start in Google's ranges only: glued to "a" (see CharClassTests)
    public void CjkCharactersAreIsolated(string text, string expected) => Assert.Equal(expected, Tok(text));

    [Fact]
    public void TokenizeChineseCharsOffKeepsRuns() =>
        Assert.Equal("[UNK] 中 ##国", Tok("你好 中国", TinyVocab.Tokenizer(new BertTokenizerOptions { TokenizeChineseChars = false })));

    [Theory]
    [InlineData("a,b", "a , b")]
    [InlineData("a$b", "a $ b")]                // ASCII symbols are punctuation for BERT
    [InlineData("a+b~c`", "a + b ~ c `")]
    [InlineData("a。b", "a [UNK] b")]           // Unicode Po, split, not in the tiny vocab
    [InlineData("a￥b", "[UNK]")]               // Sc is not punctuation: one word
    [InlineData("(1)", "( 1 )")]
    public void PunctuationIsSplit(string text, string expected) => Assert.Equal(expected, Tok(text));

    [Theory]
    [InlineData("Café", "cafe")]
    [InlineData("NAÏVE", "naive")]
    [InlineData("cafe\u0301", "cafe")]       // decomposed accent is dropped
    [InlineData("İ", "i")]                  // NFD: I + dot, dot dropped, then lower-cased
    [InlineData("ΣΣ", "σ ##σ")]             // per-character lower-casing: no final sigma (as Rust)
    [InlineData("iPhone", "iphone")]
    public void LowerCaseAndStripAccents(string text, string expected) => Assert.Equal(expected, Tok(text));

    [Fact]
    public void LowerCaseWithoutStripAccentsKeepsMarks()
    {
        var tokenizer = TinyVocab.Tokenizer(new BertTokenizerOptions { StripAccents = false });
        Assert.Equal("i\u0307", Tok("İ", tokenizer));      // full lower-case mapping: i + combining dot above
        Assert.Equal("[UNK]", Tok("café", tokenizer));
    }

    [Fact]
    public void NoLowerCaseTurnsCapitalsIntoUnknownAndWarns()
    {
        var tokenizer = TinyVocab.Tokenizer(new BertTokenizerOptions { LowerCase = false });
        Assert.Equal("[UNK] cafe", Tok("iPhone Café".Replace("Café", "cafe", StringComparison.Ordinal), tokenizer));
        Assert.Single(tokenizer.Warnings);
        Assert.Contains("upper-case", tokenizer.Warnings[0], StringComparison.Ordinal);
        Assert.Empty(Lower.Warnings);
    }

    [Fact]
    public void StripAccentsWithoutLowerCase()
    {
        var tokenizer = TinyVocab.Tokenizer(new BertTokenizerOptions { LowerCase = false, StripAccents = true });
        Assert.Equal("cafe", Tok("café", tokenizer));
    }

    [Theory]
    [InlineData("x\u0000y", "[UNK]")]               // NUL deleted: "xy" is one word, not in the vocab
    [InlineData("x\u200By", "[UNK]")]               // zero-width space deleted (Cf), so "xy" is one word
    [InlineData("x\uFFFDy", "[UNK]")]
    [InlineData("x\u00ADy", "[UNK]")]               // soft hyphen
    [InlineData("x\u000By", "[UNK]")]               // VT is a control: deleted, not a space
    [InlineData("x\ty\nz\r1", "x y z 1")]
    [InlineData("x\u3000y\u00A0z\u2028a", "x y z a")]
    [InlineData("\uE000", "")]                      // private use deleted
    [InlineData("  \u200B  ", "")]
    public void CleaningAndWhitespace(string text, string expected) => Assert.Equal(expected, Tok(text));

    [Fact]
    public void WordPieceGreedyLongestMatch()
    {
        Assert.Equal("un ##aff ##able", Tok("unaffable"));
        Assert.Equal("pro ##ba ##bility", Tok("probability"));
        Assert.Equal("hello ##s", Tok("hellos"));
    }

    [Fact]
    public void WordPieceUnknownReplacesTheWholeWord()
    {
        // "unaffablez": un ##aff ##able match, then "z" has no ## form: the whole word is one [UNK].
        Assert.Equal("[UNK]", Tok("unaffablez"));
        Assert.Equal("hello [UNK] world", Tok("hello unaffablez world"));
    }

    [Fact]
    public void WordsOverOneHundredCodePointsAreUnknown()
    {
        Assert.Equal(string.Join(" ", Enumerable.Repeat("##a", 99).Prepend("a")).Replace("a ##a", "a ##a", StringComparison.Ordinal), Tok(new string('a', 100)));
        Assert.Equal("[UNK]", Tok(new string('a', 101)));
        // Code points, not UTF-16 units: 100 Ext-B characters would be 200 units, but they are isolated anyway; use a
        // word of 50 'a' and a non-BMP letter-like char to check the count is in code points.
        var options = new BertTokenizerOptions { MaxInputCharsPerWord = 3, TokenizeChineseChars = false };
        var tokenizer = TinyVocab.Tokenizer(options);
        Assert.Equal("𠮷 ##a ##b", Tok("𠮷ab", tokenizer));    // 3 code points, 4 UTF-16 units: still allowed
        Assert.Equal("[UNK]", Tok("𠮷aba", tokenizer));
    }

    [Theory]
    [InlineData("a[MASK]b", "a [MASK] b")]
    [InlineData("[CLS][SEP]", "[CLS] [SEP]")]
    [InlineData("[[MASK]]", "[ [MASK] ]")]
    [InlineData("[mask]", "[ [UNK] ]")]         // matched on the raw text, before lower-casing
    [InlineData("[UNK]x", "[UNK] x")]
    public void SpecialTokensStayWholeInsideText(string text, string expected) => Assert.Equal(expected, Tok(text));

    [Fact]
    public void NeverSplitStringsAreKeptWhole()
    {
        var tokenizer = TinyVocab.Tokenizer(new BertTokenizerOptions { NeverSplit = ["[unused1]"] });
        Assert.Equal("a [unused1] b", Tok("a[unused1]b", tokenizer));
    }

    [Fact]
    public void SingleAndPairLayout()
    {
        var single = Lower.Encode("你好");
        Assert.Equal(new[] { "[CLS]", "你", "好", "[SEP]" }, single.Tokens);
        Assert.Equal(new[] { 0, 0, 0, 0 }, single.TypeIds);
        Assert.Equal(new[] { 1, 0, 0, 1 }, single.SpecialTokensMask);
        Assert.Equal(new[] { 1, 1, 1, 1 }, single.AttentionMask);

        var pair = Lower.Encode("你好", "中国");
        Assert.Equal(new[] { "[CLS]", "你", "好", "[SEP]", "中", "国", "[SEP]" }, pair.Tokens);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1 }, pair.TypeIds);
        Assert.Equal(new[] { TinyVocab.Cls, TinyVocab.Id("你"), TinyVocab.Id("好"), TinyVocab.Sep, TinyVocab.Id("中"), TinyVocab.Id("国"), TinyVocab.Sep }, pair.Ids);

        var empty = Lower.Encode("", "");
        Assert.Equal(new[] { "[CLS]", "[SEP]", "[SEP]" }, empty.Tokens);
        Assert.Equal(new[] { 0, 0, 1 }, empty.TypeIds);

        var bare = Lower.Encode("你好", options: new EncodeOptions { AddSpecialTokens = false });
        Assert.Equal(new[] { "你", "好" }, bare.Tokens);
    }

    [Fact]
    public void OffsetsAreUtf16SpansOfTheOriginalText()
    {
        var e = Lower.Encode("𠮷 Café probability", "x\u200By");
        var expected = new (int, int)[] { (0, 0), (0, 2), (3, 7), (8, 11), (11, 13), (13, 19), (0, 0), (0, 3), (0, 0) };
        Assert.Equal(expected, e.Offsets.Select(o => (o.Start, o.End)));
        // The [UNK] word "xy" spans the deleted zero-width space too (first to last char of the word).
        Assert.Equal("[UNK]", e.Tokens[7]);
    }

    [Fact]
    public void OffsetsOfDecomposedAccentsAndUnknownWords()
    {
        var e = Lower.Encode("cafe\u0301 unaffablez 中");
        Assert.Equal(new[] { "[CLS]", "cafe", "[UNK]", "中", "[SEP]" }, e.Tokens);
        Assert.Equal(new TokenOffset(0, 4), e.Offsets[1]);   // the dropped mark after the last kept char is not covered
        Assert.Equal(new TokenOffset(6, 16), e.Offsets[2]);
        Assert.Equal(new TokenOffset(17, 18), e.Offsets[3]);
    }

    [Fact]
    public void DecodeJoinsPiecesAndCleansUp()
    {
        var e = Lower.Encode("unaffable hello, world!");
        Assert.Equal("[CLS] unaffable hello, world! [SEP]", Lower.Decode(e.Ids));
        Assert.Equal("unaffable hello, world!", Lower.Decode(e.Ids, skipSpecialTokens: true));
        Assert.Equal("中 国 人", Lower.Decode(Lower.Encode("中国人").Ids, skipSpecialTokens: true));
        Assert.Equal("un affable x", Lower.ConvertTokensToString(["un", "##aff", "##able", "x"]).Replace("unaffable", "un affable", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lower.Decode([999_999]));
    }

    [Fact]
    public void BatchEncodingMatchesSingleEncodingAndPadsToLongest()
    {
        string[] texts = ["你好", "中国人 hello", "", "probability 𠮷"];
        string?[] pairs = [null, "a", "b c", null];
        var batch = Lower.EncodeBatch(texts, pairs, new EncodeOptions { Padding = PaddingStrategy.Longest });
        int longest = texts.Select((t, i) => Lower.Encode(t, pairs[i]).Count).Max();
        for (int i = 0; i < texts.Length; i++)
        {
            var single = Lower.Encode(texts[i], pairs[i]);
            Assert.Equal(longest, batch[i].Count);
            Assert.Equal(single.Ids, batch[i].Ids.Take(single.Count));
            Assert.All(batch[i].Ids.Skip(single.Count), id => Assert.Equal(TinyVocab.Pad, id));
            Assert.All(batch[i].AttentionMask.Skip(single.Count), m => Assert.Equal(0, m));
            Assert.All(batch[i].TypeIds.Skip(single.Count), t => Assert.Equal(0, t));
            Assert.All(batch[i].SpecialTokensMask.Skip(single.Count), m => Assert.Equal(1, m));
            Assert.All(batch[i].Offsets.Skip(single.Count), o => Assert.Equal(default, o));
        }
    }

    [Fact]
    public void PaddingToMaxLengthAndMultiples()
    {
        var e = Lower.Encode("你好", options: new EncodeOptions { MaxLength = 8, Padding = PaddingStrategy.MaxLength });
        Assert.Equal(8, e.Count);
        Assert.Equal(new[] { 1, 1, 1, 1, 0, 0, 0, 0 }, e.AttentionMask);
        Assert.Equal("[PAD]", e.Tokens[^1]);
        var m = Lower.EncodeBatch(["你好", "中国人"], null, new EncodeOptions { Padding = PaddingStrategy.Longest, PadToMultipleOf = 4 });
        Assert.All(m, x => Assert.Equal(8, x.Count));
        Assert.Throws<ArgumentException>(() => Lower.Encode("x", options: new EncodeOptions { Padding = PaddingStrategy.MaxLength }));
    }

    [Fact]
    public void TokenizerConfigIsHonoured()
    {
        var options = BertTokenizerOptions.FromConfigJson("""
            {"do_lower_case": false, "strip_accents": true, "tokenize_chinese_chars": false, "never_split": ["[unused1]"],
             "unk_token": {"content": "[UNK]", "lstrip": false}, "mask_token": "[MASK]", "model_max_length": 1000000000000000019884624838656}
            """);
        Assert.False(options.LowerCase);
        Assert.True(options.StripAccents);
        Assert.False(options.TokenizeChineseChars);
        Assert.Equal(["[unused1]"], options.NeverSplit);
        Assert.Null(options.ModelMaxLength);
        var defaults = BertTokenizerOptions.FromConfigJson("{\"model_max_length\": 512}");
        Assert.True(defaults.LowerCase);
        Assert.True(defaults.EffectiveStripAccents);
        Assert.Equal(512, defaults.ModelMaxLength);
        Assert.Throws<InvalidDataException>(() => BertTokenizerOptions.FromConfigJson("{\"do_lower_case\": \"yes\"}"));
    }

    [Fact]
    public void LoadReadsTheConfigBesideTheVocab()
    {
        string dir = Directory.CreateTempSubdirectory("tok").FullName;
        try
        {
            TinyVocab.Create().Save(Path.Combine(dir, "vocab.txt"));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"do_lower_case\": false}");
            var tokenizer = BertTokenizer.Load(Path.Combine(dir, "vocab.txt"));
            Assert.False(tokenizer.Options.LowerCase);
            Assert.NotEmpty(tokenizer.Warnings);
            Assert.Equal(TinyVocab.Create().Tokens, tokenizer.Vocabulary.Tokens);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void MissingSpecialTokenIsAnError() =>
        Assert.Throws<ArgumentException>(() => new BertTokenizer(new Vocabulary(["a", "b"])));
}
