using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class SentenceSplitterTests
{
    [Theory]
    [InlineData("今天天气很好。我们去公园吧！好不好？", new[] { "今天天气很好。", "我们去公园吧！", "好不好？" })]
    [InlineData("真的吗？！太好了……然后呢", new[] { "真的吗？！", "太好了……", "然后呢" })]
    [InlineData("他说：“我来了。”她笑了。", new[] { "他说：“我来了。”", "她笑了。" })]
    [InlineData("（注意！）下一句；再一句", new[] { "（注意！）", "下一句；", "再一句" })]
    [InlineData("「好。」『对！』", new[] { "「好。」", "『对！』" })]
    [InlineData("Pi is 3.14 today. Visit www.example.com now. Done", new[] { "Pi is 3.14 today.", "Visit www.example.com now.", "Done" })]
    [InlineData("Wait... what?! OK", new[] { "Wait...", "what?!", "OK" })]
    [InlineData("He said \"stop.\" Then left.", new[] { "He said \"stop.\"", "Then left." })]
    [InlineData("\"Go!\" she said", new[] { "\"Go!\"", "she said" })]
    [InlineData("句子一。\"引号\"开始", new[] { "句子一。", "\"引号\"开始" })]
    [InlineData("  前后空白。  ", new[] { "前后空白。" })]
    [InlineData("没有结尾标点", new[] { "没有结尾标点" })]
    [InlineData("。。。", new[] { "。。。" })]
    [InlineData("", new string[0])]
    [InlineData("   ", new string[0])]
    [InlineData("版本v1.2.3发布。", new[] { "版本v1.2.3发布。" })]
    [InlineData("末尾句点.", new[] { "末尾句点." })]
    public void SplitsAtSentenceEnds(string text, string[] expected) => Assert.Equal(expected, SentenceSplitter.Split(text));

    [Fact]
    public void KeepsEveryNonSpaceCharacterInOrder()
    {
        var random = new Random(5);
        const string alphabet = "甲乙。！？!?；…. \"”）a1";
        for (int trial = 0; trial < 500; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var sentences = SentenceSplitter.Split(text);
            Assert.All(sentences, s => Assert.Equal(s.Trim(), s));
            Assert.All(sentences, s => Assert.NotEmpty(s));
            Assert.Equal(text.Replace(" ", "", StringComparison.Ordinal), string.Concat(sentences).Replace(" ", "", StringComparison.Ordinal));
        }
    }
}
