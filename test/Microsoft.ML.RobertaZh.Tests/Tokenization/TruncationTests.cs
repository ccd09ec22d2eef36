#pragma warning disable CA1861 // expected values read best inline; each array is built once per test
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

public class TruncationTests
{
    [Theory]
    // (first, second, budget) -> kept, HF fast rule: extra token of an odd budget to the longer side, B on ties
    [InlineData(10, 11, 5, 2, 3)]
    [InlineData(7, 6, 5, 3, 2)]
    [InlineData(10, 10, 5, 2, 3)]
    [InlineData(10, 10, 6, 3, 3)]
    [InlineData(2, 10, 5, 2, 3)]     // the short side keeps everything
    [InlineData(10, 2, 5, 3, 2)]
    [InlineData(3, 3, 6, 3, 3)]      // fits
    [InlineData(0, 9, 4, 0, 4)]
    [InlineData(6, 7, 0, 0, 0)]
    public void LongestFirstPairs(int a, int b, int budget, int keptA, int keptB) =>
        Assert.Equal((keptA, keptB), Truncation.Fit(a, b, budget, TruncationStrategy.LongestFirst));

    [Fact]
    public void LengthTokenizedWithLimitStopsAfterTheWordThatReachesTheLimit()
    {
        // tokenizers' tokenize_with_limit: whole words are tokenized until the total reaches max_length.
        var buffer = new TokenBuffer();
        void Word(int pieces)
        {
            for (int i = 0; i < pieces; i++) buffer.Add(1, 0, 0, i == 0 ? TokenKind.WordStart : TokenKind.Continuation);
        }
        Word(1); Word(3); Word(2); Word(1);            // 1 | 3 | 2 | 1 = 7 tokens
        Assert.Equal(4, buffer.LengthTokenizedWithLimit(2));    // the 3-piece word is finished: 4, not 2
        Assert.Equal(4, buffer.LengthTokenizedWithLimit(4));
        Assert.Equal(6, buffer.LengthTokenizedWithLimit(5));
        Assert.Equal(7, buffer.LengthTokenizedWithLimit(7));
        Assert.Equal(7, buffer.LengthTokenizedWithLimit(100));
        // A special-token match counts but never stops the tokenizer: the word after it is taken too.
        buffer.Clear();
        Word(1); buffer.Add(103, 0, 0, TokenKind.Special); Word(2); Word(1);
        Assert.Equal(4, buffer.LengthTokenizedWithLimit(2));
        Assert.Equal(4, buffer.LengthTokenizedWithLimit(3));
        Assert.Equal(1, buffer.LengthTokenizedWithLimit(1));
    }

    [Theory]
    // Expected tokens from HF tokenizers 0.23.2 (Node binding) on the same vocabulary (TinyVocab), max_length 8.
    // The first text is tokenized to 7 + 3 = 10 (the word that crosses 8 is finished), the second to 8: the first is
    // longer and keeps 3 of the 5. Cutting both to max_length first (8 vs 8, a tie) would give the first 2.
    [InlineData("中国人中国人中 unaffable", "中国人中国人中国人", "[CLS] 中 国 人 [SEP] 中 国 [SEP]")]
    // [MASK] reaches 8 but does not stop the tokenizer; "x" does: 9 vs 8, the first is longer.
    [InlineData("中国人中国人中[MASK]x y", "中国人中国人中国人", "[CLS] 中 国 人 [SEP] 中 国 [SEP]")]
    // Nothing after [MASK]: 8 vs 8, a tie, which the second wins.
    [InlineData("中国人中国人中[MASK]", "中国人中国人中国人", "[CLS] 中 国 [SEP] 中 国 人 [SEP]")]
    // Few words, many pieces: 8 vs 9 (three 3-piece words), so the second is longer.
    [InlineData("中国人中国人中国人", "unaffable unaffable unaffable unaffable", "[CLS] 中 国 [SEP] un ##aff ##able [SEP]")]
    [InlineData("中国人中国人中国人", "unaffable x", "[CLS] 中 国 人 [SEP] un ##aff [SEP]")]
    public void LongestFirstDecidesTheLongerSideOnTheLengthsTokenizedWithTheLimit(string first, string second, string expected)
    {
        var tokenizer = TinyVocab.Tokenizer();
        Assert.Equal(expected, string.Join(' ', tokenizer.Encode(first, second, new EncodeOptions { MaxLength = 8 }).Tokens));
    }

    [Fact]
    public void SingleTextIsCutToTheBudget() =>
        Assert.Equal((5, 0), Truncation.Fit(9, null, 5, TruncationStrategy.LongestFirst));

    [Fact]
    public void OnlyFirstAndOnlySecond()
    {
        Assert.Equal((4, 3), Truncation.Fit(8, 3, 7, TruncationStrategy.OnlyFirst));
        Assert.Equal((3, 4), Truncation.Fit(3, 8, 7, TruncationStrategy.OnlySecond));
        Assert.Throws<ArgumentException>(() => Truncation.Fit(4, 8, 7, TruncationStrategy.OnlyFirst));   // must remove 5 of 4
        Assert.Equal((1, 2), Truncation.Fit(5, 2, 3, TruncationStrategy.OnlyFirst));
        Assert.Throws<ArgumentException>(() => Truncation.Fit(4, 2, 2, TruncationStrategy.OnlyFirst));    // would leave it empty
    }

    [Fact]
    public void OnlySecondNeedsAPair() =>
        Assert.Throws<ArgumentException>(() => Truncation.Fit(9, null, 5, TruncationStrategy.OnlySecond));

    [Fact]
    public void EncodeAppliesTheBudgetAfterSpecialTokens()
    {
        var tokenizer = TinyVocab.Tokenizer();
        var e = tokenizer.Encode("中国人中国人", "你好你好你好", new EncodeOptions { MaxLength = 8 });
        Assert.Equal(new[] { "[CLS]", "中", "国", "[SEP]", "你", "好", "你", "[SEP]" }, e.Tokens);
        var single = tokenizer.Encode("中国人中国人", options: new EncodeOptions { MaxLength = 4 });
        Assert.Equal(new[] { "[CLS]", "中", "国", "[SEP]" }, single.Tokens);
        Assert.Throws<ArgumentException>(() => tokenizer.Encode("a", "b", new EncodeOptions { MaxLength = 2 }));
        Assert.Throws<ArgumentException>(() => tokenizer.Encode("中国人", "你", new EncodeOptions { MaxLength = 5, Truncation = TruncationStrategy.OnlySecond }));
    }
}
