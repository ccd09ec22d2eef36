using Microsoft.ML.RobertaZh.Pretraining;
using static Microsoft.ML.RobertaZh.Tests.Pretraining.PretrainingFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class InstancePackerTests
{
    private static InstancePacker Packer(int maxSeqLength, double shortSeq = 0, bool jieba = true, ulong seed = 1) =>
        new(Tokenizer(), jieba ? Segmenter() : null, maxSeqLength, shortSeq, seed);

    private static List<PackedInstance> Pack(InstancePacker packer, params string[] sentences)
    {
        var output = new List<PackedInstance>();
        packer.Pack(new CorpusDocument(0, 1, sentences, 0), output);
        return output;
    }

    private static string Run(int length, int group = 0) => string.Concat(Enumerable.Range(0, length).Select(k => Groups[group][k % 50]));

    [Fact]
    public void WholeSentencesArePackedGreedilyInOrder()
    {
        // Budget 8 (max length 10): 3+4 fit, 5 does not; 5+2 fit; 6 alone is the kept final chunk.
        var instances = Pack(Packer(10), Run(3), Run(4), Run(5), Run(2), Run(6));
        Assert.Equal([9, 9, 8], instances.Select(i => i.Ids.Length));
        Assert.All(instances, i => Assert.Equal(Cls, i.Ids[0]));
        Assert.All(instances, i => Assert.Equal(Sep, i.Ids[^1]));
        Assert.All(instances, i => Assert.Equal(0, i.Ids[1..^1].Count(id => id is Cls or Sep)));
    }

    [Fact]
    public void SentencesLongerThanTheBudgetAreCutIntoBudgetSizedPieces()
    {
        var instances = Pack(Packer(10), Run(20), Run(3));
        Assert.Equal([8, 8, 7], instances.Select(i => i.Ids.Length - 2));
        var tokenizer = Tokenizer();
        var expected = tokenizer.Encode(Run(20) + Run(3), options: new() { AddSpecialTokens = false }).Ids;
        Assert.Equal(expected, instances.SelectMany(i => i.Ids[1..^1]));
    }

    [Fact]
    public void NoInstanceExceedsTheLengthAndEveryDocumentIsReproducedInOrder()
    {
        var tokenizer = Tokenizer();
        var documents = RandomDocuments(11, 200, maxSentences: 12, maxSentenceLength: 60);
        foreach (int maxSeq in new[] { 3, 8, 32, 128 })
        {
            var packer = Packer(maxSeq, shortSeq: 0.3);
            for (int d = 0; d < documents.Count; d++)
            {
                var output = new List<PackedInstance>();
                long tokens = packer.Pack(new CorpusDocument(d, d + 1, documents[d], 0), output);
                Assert.All(output, i => Assert.InRange(i.Ids.Length, 3, maxSeq));
                Assert.All(output, i => Assert.Equal(i.Ids.Length, i.WordStarts.Length));
                var expected = documents[d].SelectMany(s => tokenizer.Encode(s, options: new() { AddSpecialTokens = false }).Ids).ToList();
                Assert.Equal(expected, output.SelectMany(i => i.Ids[1..^1]));
                Assert.Equal(expected.Count, tokens);
            }
        }
    }

    [Fact]
    public void ShortSequenceProbabilityIsRespectedStatistically()
    {
        // One-token sentences: every instance but the last has exactly its target length. Budget 30, so a short target
        // (probability 0.1) is uniform on [2, 30] and equals the budget one time in 29.
        var sentences = Enumerable.Range(0, 150_000).Select(k => Groups[0][k % 50]).ToArray();
        var lengths = Pack(Packer(32, shortSeq: 0.1), sentences).SkipLast(1).Select(i => i.Ids.Length - 2).ToList();
        double shortFraction = lengths.Count(n => n < 30) / (double)lengths.Count;
        double expected = 0.1 * 28 / 29;
        double sigma = Math.Sqrt(expected * (1 - expected) / lengths.Count);
        Assert.InRange(shortFraction, expected - (5 * sigma), expected + (5 * sigma));
        var shorts = lengths.Where(n => n < 30).ToList();
        Assert.InRange(shorts.Average(), 15.5 - 1.5, 15.5 + 1.5); // uniform on [2, 29]
        Assert.Equal(2, shorts.Min());
        Assert.All(Pack(Packer(32, shortSeq: 0), sentences[..3000]), i => Assert.Equal(32, i.Ids.Length));
    }

    [Fact]
    public void PackingDependsOnlyOnSeedAndDocumentIndex()
    {
        var document = RandomDocuments(2, 1, maxSentences: 40)[0];
        List<int[]> PackAs(long index, ulong seed)
        {
            var output = new List<PackedInstance>();
            Packer(16, shortSeq: 0.5, seed: seed).Pack(new CorpusDocument(index, 1, document, 0), output);
            return [.. output.Select(i => i.Ids)];
        }
        Assert.Equal(PackAs(7, 1), PackAs(7, 1));
        Assert.NotEqual(PackAs(7, 1).Select(i => i.Length), PackAs(8, 1).Select(i => i.Length));
    }

    [Fact]
    public void WordStartsFollowJiebaWordsAndWordPieces()
    {
        // TinySegmenter cuts 甲乙丙 into 甲乙 | 丙; "worlds" is world ##s, one jieba word.
        var withJieba = Pack(Packer(64), "甲乙丙 hello worlds")[0];
        Assert.Equal([Cls, Id("甲"), Id("乙"), Id("丙"), Id("hello"), Id("world"), Id("##s"), Sep], withJieba.Ids);
        Assert.Equal([1, 1, 0, 1, 1, 1, 0, 1], withJieba.WordStarts.Select(b => (int)b));
        var piecesOnly = Pack(Packer(64, jieba: false), "甲乙丙 hello worlds")[0];
        Assert.Equal([1, 1, 1, 1, 1, 1, 0, 1], piecesOnly.WordStarts.Select(b => (int)b));
    }

    [Fact]
    public void DocumentWithoutTokensGivesNoInstance() => Assert.Empty(Pack(Packer(16), "   ", "\u0000"));
}
