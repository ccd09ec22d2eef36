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
        Assert.Equal((keptA, keptB), Truncation.Fit(a, b, budget, budget + 3, TruncationStrategy.LongestFirst));

    [Fact]
    public void LongestFirstDecidesTheLongerSideOnLengthsCutToMaxLength()
    {
        // tokenizers 0.23 cuts each text to max_length tokens first: 20 vs 9 with max_length 8 is a tie (8, 8).
        Assert.Equal((2, 3), Truncation.Fit(20, 9, 5, 8, TruncationStrategy.LongestFirst));
        Assert.Equal((3, 2), Truncation.Fit(20, 7, 5, 8, TruncationStrategy.LongestFirst));
    }

    [Fact]
    public void SingleTextIsCutToTheBudget() =>
        Assert.Equal((5, 0), Truncation.Fit(9, null, 5, 7, TruncationStrategy.LongestFirst));

    [Fact]
    public void OnlyFirstAndOnlySecond()
    {
        Assert.Equal((4, 3), Truncation.Fit(8, 3, 7, 10, TruncationStrategy.OnlyFirst));
        Assert.Equal((3, 4), Truncation.Fit(3, 8, 7, 10, TruncationStrategy.OnlySecond));
        Assert.Throws<ArgumentException>(() => Truncation.Fit(4, 8, 7, 10, TruncationStrategy.OnlyFirst));   // must remove 5 of 4
        Assert.Equal((1, 2), Truncation.Fit(5, 2, 3, 6, TruncationStrategy.OnlyFirst));
        Assert.Throws<ArgumentException>(() => Truncation.Fit(4, 2, 2, 5, TruncationStrategy.OnlyFirst));    // would leave it empty
    }

    [Fact]
    public void OnlySecondNeedsAPair() =>
        Assert.Throws<ArgumentException>(() => Truncation.Fit(9, null, 5, 7, TruncationStrategy.OnlySecond));

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
