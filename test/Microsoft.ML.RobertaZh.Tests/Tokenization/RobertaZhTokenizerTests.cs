using System.Buffers;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;
using MLTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

/// <summary>
/// <see cref="RobertaZhTokenizer"/> through the <see cref="Microsoft.ML.Tokenizers.Tokenizer"/> base class: Hugging Face's
/// ids and offsets on the committed reference cases, whole-word limits and index contracts checked by hand on a tiny
/// vocabulary and as properties on real lines.
/// </summary>
public class RobertaZhTokenizerTests
{
    private const string Text = "hello unaffable 中国";   // hello | un ##aff ##able | 中 | 国

    private static readonly MLTokenizer Tiny = new RobertaZhTokenizer(TinyVocab.Tokenizer());
    private static readonly MLTokenizer TinyWithSpecials = new RobertaZhTokenizer(TinyVocab.Tokenizer(), addSpecialTokens: true);

    [Fact]
    public void EncodesTokensWithOffsetsIntoTheOriginalText()
    {
        var tokens = Tiny.EncodeToTokens(Text, out string? normalized);
        Assert.Null(normalized);
        Assert.Equal(["hello", "un", "##aff", "##able", "中", "国"], tokens.Select(t => t.Value));
        Assert.Equal([(0, 5), (6, 8), (8, 11), (11, 15), (16, 17), (17, 18)], tokens.Select(t => (t.Offset.Start.Value, t.Offset.End.Value)));
        Assert.Equal(tokens.Select(t => t.Id), Tiny.EncodeToIds(Text));
        Assert.Equal(tokens.Select(t => t.Id), Tiny.EncodeToIds(Text.AsSpan()));
        Assert.Equal(6, Tiny.CountTokens(Text));
        Assert.Equal(6, Tiny.CountTokens(Text.AsSpan()));
        Assert.Empty(Tiny.EncodeToIds(""));
        Assert.Null(Tiny.Normalizer);
        Assert.Null(Tiny.PreTokenizer);
    }

    [Theory]
    // maxTokenCount -> ids kept (whole words only) and the characters they cover
    [InlineData(1, "hello", 5)]
    [InlineData(3, "hello", 5)]     // unaffable's three pieces do not fit: the word is left out whole
    [InlineData(4, "hello un ##aff ##able", 15)]
    [InlineData(5, "hello un ##aff ##able 中", 17)]
    [InlineData(6, "hello un ##aff ##able 中 国", 18)]
    [InlineData(100, "hello un ##aff ##able 中 国", 18)]
    public void MaxTokenCountKeepsWholeWords(int max, string expected, int consumed)
    {
        var ids = Tiny.EncodeToIds(Text, max, out string? normalized, out int charsConsumed);
        Assert.Equal(expected, string.Join(' ', ids.Select(id => TinyVocab.Create()[id])));
        Assert.Equal(consumed, charsConsumed);
        Assert.Null(normalized);
    }

    [Theory]
    // maxTokenCount -> index from the start, tokens; index from the end, tokens (ML.Tokenizers' contract: all fit ->
    // length / 0, none fit -> 0 / length)
    [InlineData(1, 5, 1, 17, 1)]
    [InlineData(3, 5, 1, 16, 2)]
    [InlineData(4, 15, 4, 16, 2)]
    [InlineData(5, 17, 5, 6, 5)]
    [InlineData(6, 18, 6, 0, 6)]
    [InlineData(9, 18, 6, 0, 6)]
    public void IndexByTokenCountFromEitherEnd(int max, int fromStart, int startCount, int fromEnd, int endCount)
    {
        Assert.Equal(fromStart, Tiny.GetIndexByTokenCount(Text, max, out string? normalized, out int count));
        Assert.Equal(startCount, count);
        Assert.Null(normalized);
        Assert.Equal(fromEnd, Tiny.GetIndexByTokenCountFromEnd(Text, max, out _, out count));
        Assert.Equal(endCount, count);
        Assert.Equal(fromEnd, Tiny.GetIndexByTokenCountFromEnd(Text.AsSpan(), max, out _, out count));
    }

    [Fact]
    public void NothingFits()
    {
        Assert.Equal(0, Tiny.GetIndexByTokenCount("unaffable", 2, out _, out int count));
        Assert.Equal(0, count);
        Assert.Equal(9, Tiny.GetIndexByTokenCountFromEnd("unaffable", 2, out _, out count));
        Assert.Equal(0, count);
        Assert.Empty(Tiny.EncodeToIds("unaffable", 2, out _, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tiny.EncodeToIds(Text, 0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tiny.GetIndexByTokenCount(Text, -1, out _, out _));
    }

    [Fact]
    public void SpecialTokensArePartOfEveryResultAndOfTheBudget()
    {
        int cls = TinyVocab.Cls, sep = TinyVocab.Sep, hello = TinyVocab.Id("hello");
        Assert.Equal([cls, hello, TinyVocab.Id("un"), TinyVocab.Id("##aff"), TinyVocab.Id("##able"), TinyVocab.Id("中"), TinyVocab.Id("国"), sep],
            TinyWithSpecials.EncodeToIds(Text));
        Assert.Equal(8, TinyWithSpecials.CountTokens(Text));
        Assert.Equal([cls, hello, sep], TinyWithSpecials.EncodeToIds(Text, 5, out _, out int consumed));
        Assert.Equal(5, consumed);
        Assert.Empty(TinyWithSpecials.EncodeToIds(Text, 1, out _, out _));
        var tokens = TinyWithSpecials.EncodeToTokens("中", out _);
        Assert.Equal(["[CLS]", "中", "[SEP]"], tokens.Select(t => t.Value));
        Assert.Equal(new Range(0, 0), tokens[0].Offset);
        Assert.Equal(15, TinyWithSpecials.GetIndexByTokenCount(Text, 6, out _, out int count));
        Assert.Equal(6, count);
    }

    [Fact]
    public void DecodesLikeTheFastDecoderAndStopsWhenTheDestinationIsFull()
    {
        var ids = Tiny.EncodeToIds("hello unaffable , ok");
        Assert.Equal("hello unaffable, ok", Tiny.Decode(ids));
        var destination = new char[10];
        Assert.Equal(OperationStatus.DestinationTooSmall, Tiny.Decode(ids, destination, out int idsConsumed, out int written));
        Assert.Equal((2, 8), (idsConsumed, written));
        Assert.Equal("hello un", new string(destination, 0, written));
        destination = new char[19];
        Assert.Equal(OperationStatus.Done, Tiny.Decode(ids, destination, out idsConsumed, out written));
        Assert.Equal("hello unaffable, ok", new string(destination, 0, written));
        Assert.Equal(OperationStatus.InvalidData, Tiny.Decode([TinyVocab.Create().Count], destination, out _, out _));
        var specials = (RobertaZhTokenizer)TinyWithSpecials;
        Assert.Equal("hello", specials.Decode(TinyWithSpecials.EncodeToIds("hello"), skipSpecialTokens: true));
        Assert.Equal("[CLS] hello [SEP]", TinyWithSpecials.Decode(TinyWithSpecials.EncodeToIds("hello")));
    }

    [Fact]
    public void PairsGoThroughEncodePair()
    {
        var tokenizer = new RobertaZhTokenizer(TinyVocab.Tokenizer());
        var e = tokenizer.EncodePair("中国人中国人", "你好你好你好", new EncodeOptions { MaxLength = 8 });
        Assert.Equal(["[CLS]", "中", "国", "[SEP]", "你", "好", "你", "[SEP]"], e.Tokens);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], e.TypeIds);
    }

    [SharedDataFact]
    public void MatchesHuggingFaceOnTheReferenceCases()
    {
        var bert = new BertTokenizer(Vocabulary.Load(Path.Combine(Fixtures.SharedData!, "vocab", "google_zh_vocab.txt")));
        MLTokenizer plain = new RobertaZhTokenizer(bert), withSpecials = new RobertaZhTokenizer(bert, addSpecialTokens: true);
        int compared = 0;
        foreach (string line in File.ReadLines(Fixtures.Path("tokenization/reference_cases.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var c = doc.RootElement;
            if (c.GetProperty("pair").ValueKind != JsonValueKind.Null || c.TryGetProperty("max_length", out _)) continue;
            string text = c.GetProperty("text").GetString()!;
            int[] expected = [.. c.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32())];
            var offsets = c.GetProperty("offsets").EnumerateArray().Select(o => (o[0].GetInt32(), o[1].GetInt32())).ToArray();
            Assert.Equal(expected, withSpecials.EncodeToIds(text));
            Assert.Equal(expected[1..^1], plain.EncodeToIds(text));
            var tokens = plain.EncodeToTokens(text, out _);
            Assert.Equal(offsets[1..^1], tokens.Select(t => (t.Offset.Start.Value, t.Offset.End.Value)));
            Assert.Equal(expected.Length, withSpecials.CountTokens(text));
            compared++;
        }
        Assert.True(compared > 200, $"only {compared} single-text cases");
    }

    [SharedDataFact]
    public void CutsAreCleanOnRealLines()
    {
        // For every limit, the text up to (from) the returned index encodes to exactly the counted tokens, which are
        // the first (last) tokens of the whole text.
        var tokenizer = new RobertaZhTokenizer(new BertTokenizer(Vocabulary.Load(Path.Combine(Fixtures.SharedData!, "vocab", "google_zh_vocab.txt"))));
        var lines = File.ReadLines(Path.Combine(Fixtures.SharedData!, "datasets", "book_review", "dev.tsv")).Skip(1).Take(150)
            .Select(l => l[(l.IndexOf('\t') + 1)..])
            .Concat(["iPhone 12 售价5999元，折扣3.5%！unaffable probability", "Café naïve [MASK] résumé\u200b中文"]);
        int checkedCuts = 0;
        foreach (string text in lines)
        {
            var all = tokenizer.EncodeToIds(text);
            foreach (int max in (int[])[1, 2, 3, 5, 8, 13, 21, 34, 55])
            {
                int end = tokenizer.GetIndexByTokenCount(text, max, out _, out int count);
                Assert.True(count <= max);
                Assert.Equal(all.Take(count), tokenizer.EncodeToIds(text[..end]));
                int start = tokenizer.GetIndexByTokenCountFromEnd(text, max, out _, out count);
                Assert.True(count <= max);
                Assert.Equal(all.Skip(all.Count - count), tokenizer.EncodeToIds(text[start..]));
                checkedCuts += 2;
            }
        }
        Assert.True(checkedCuts > 2000);
    }
}
