using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Tests.Segmentation;

public class HmmSegmenterTests
{
    private static readonly HmmSegmenter Tiny = new(TinySegmenter.Model());

    [Theory]
    // Paths from jieba.finalseg.viterbi with the tiny tables. 己 has no emission in any state, so every score is
    // MIN_FLOAT-dominated and the tie rules (larger previous state, S over E at the end) decide.
    [InlineData("己", "S")]
    [InlineData("己己", "SS")]
    [InlineData("己己己己", "SSSS")]
    [InlineData("庚辛", "BE")]
    [InlineData("庚己辛", "BME")]
    [InlineData("甲乙丙丁", "BESS")]
    public void ViterbiPathsMatchJieba(string text, string expected)
    {
        var path = new byte[text.Length];
        Tiny.Viterbi(text, path);
        Assert.Equal(expected, new string([.. path.Select(s => "BEMS"[s])]));
    }

    [Theory]
    // finalseg.cut on runs without CJK: [a-zA-Z0-9]+(?:\.\d+)?%? matches, and the text between them, each kept.
    [InlineData("ab12.34%cd", "ab12.34%/cd")]
    [InlineData("3.5.6", "3.5/./6")]
    [InlineData("x-1", "x/-/1")]
    [InlineData("..", "..")]
    [InlineData("a.b", "a/./b")]
    [InlineData("1.5%%", "1.5%/%")]
    [InlineData("+C++", "+/C/++")]
    [InlineData("1.", "1/.")]
    [InlineData(".5%", "./5%")]
    [InlineData("庚辛x2庚", "庚辛/x2/庚")]
    public void NonCjkRunsSplitAsFinalsegReSkip(string text, string expected)
    {
        var words = new List<string>();
        Tiny.Cut(text, words);
        Assert.Equal(expected.Split('/'), words);
    }

    [Fact]
    public void ForceSplitWordsAreYieldedCharByChar()
    {
        var hmm = new HmmSegmenter(TinySegmenter.Model());
        var words = new List<string>();
        hmm.Cut("庚辛", words);
        Assert.Equal(["庚辛"], words);
        hmm.AddForceSplit("庚辛");
        words.Clear();
        hmm.Cut("庚辛", words);
        Assert.Equal(["庚", "辛"], words);
    }

    [Fact]
    public void MissingTablesAndBadKeysAreReported()
    {
        var e = Assert.Throws<InvalidDataException>(() => HmmModel.Parse("""{"start": {"B": 0}, "trans": {}}"""u8, "m.json"));
        Assert.Contains("m.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("emit", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => HmmModel.Parse("""{"start": {"X": 0}, "trans": {}, "emit": {}}"""u8, "m.json"));
        Assert.Contains("\"X\" is not an HMM state", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => HmmModel.Parse("""{"start": {}, "trans": {}, "emit": {"B": {"ab": -1}}}"""u8, "m.json"));
        Assert.Contains("single BMP character", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => HmmModel.Parse("""{"start": """u8, "m.json"));
        Assert.Throws<InvalidDataException>(() => HmmModel.Parse("""{"start": {"B": "x"}}"""u8, "m.json"));
    }
}
