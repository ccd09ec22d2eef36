using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

public class VocabularyBuilderTests
{
    private static readonly string[] Corpus =
    [
        "我爱北京天安门。", "Hello world, hello WORLD!", "hello hellos helloed", "北京欢迎你 2015年", "2015 2016 2015",
        "Café café", "我们 我们 我们",
    ];

    [Fact]
    public void HasTheLayoutOfGoogleZhVocab()
    {
        var v = VocabularyBuilder.Build(Corpus, new VocabularyBuilderOptions { Size = 1000, MinFrequency = 2 });
        Assert.Equal("[PAD]", v[0]);
        Assert.Equal("[unused1]", v[1]);
        Assert.Equal("[unused99]", v[99]);
        Assert.Equal(["[UNK]", "[CLS]", "[SEP]", "[MASK]"], v.Tokens.Skip(100).Take(4));
        // Frequent characters and their ## forms (CJK ones too), lower-cased and accent-stripped.
        Assert.NotNull(v.GetId("北"));
        Assert.NotNull(v.GetId("##北"));
        Assert.NotNull(v.GetId("h"));
        Assert.NotNull(v.GetId("##e"));
        Assert.Null(v.GetId("H"));
        Assert.Null(v.GetId("é"));
        Assert.Null(v.GetId("天"));                       // seen once, below MinFrequency
        // Merged sub-words of Latin/digit words.
        Assert.NotNull(v.GetId("hello"));
        Assert.NotNull(v.GetId("world"));
        Assert.NotNull(v.GetId("2015"));
        Assert.NotNull(v.GetId("cafe"));
        // Order: specials, single characters by code point, other pieces, then ## pieces.
        var rest = v.Tokens.Skip(104).ToList();
        int firstMulti = rest.FindIndex(t => t.Length > 1 && !char.IsSurrogate(t[0]));
        int firstHash = rest.FindIndex(t => t.StartsWith("##", StringComparison.Ordinal));
        Assert.True(firstMulti > 0 && firstHash > firstMulti);
        Assert.All(rest.Skip(firstHash), t => Assert.StartsWith("##", t, StringComparison.Ordinal));
        Assert.False(v.HasUpperCaseEntries);
    }

    [Fact]
    public void IsDeterministicAndRespectsTheSize()
    {
        var a = VocabularyBuilder.Build(Corpus, new VocabularyBuilderOptions { Size = 120, MinFrequency = 1 });
        var b = VocabularyBuilder.Build(Corpus.Reverse(), new VocabularyBuilderOptions { Size = 120, MinFrequency = 1 });
        Assert.Equal(120, a.Count);
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Throws<ArgumentException>(() => VocabularyBuilder.Build(Corpus, new VocabularyBuilderOptions { Size = 104 }));
    }

    [Fact]
    public void BuiltVocabularyTokenizesItsCorpus()
    {
        var v = VocabularyBuilder.Build(Corpus, new VocabularyBuilderOptions { Size = 1000, MinFrequency = 1 });
        var tokenizer = new BertTokenizer(v);
        Assert.Equal(["hello", "world", ",", "hello", "world", "!"], tokenizer.Tokenize("Hello world, hello WORLD!"));
        Assert.DoesNotContain("[UNK]", Corpus.SelectMany(tokenizer.Tokenize));
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        var v = VocabularyBuilder.Build(Corpus, new VocabularyBuilderOptions { Size = 300, MinFrequency = 1 });
        string path = Path.Combine(Path.GetTempPath(), $"vocab-{Guid.NewGuid():N}.txt");
        try
        {
            v.Save(path);
            Assert.Equal(v.Tokens, Vocabulary.Load(path).Tokens);
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".tmp-*"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SharedDataFact]
    public void VocabularyFromTheClueSampleCoversHeldOutReviews()
    {
        string corpus = Path.Combine(Fixtures.SharedData!, "corpora", "CLUECorpusSmall_sampled.txt");
        var v = VocabularyBuilder.Build(File.ReadLines(corpus), new VocabularyBuilderOptions { Size = 8000 });
        Assert.True(v.Count <= 8000);
        var tokenizer = new BertTokenizer(v);
        var reviews = File.ReadLines(Path.Combine(Fixtures.SharedData!, "datasets", "chnsenticorp", "dev.tsv")).Skip(1).Take(300).ToList();
        var tokens = reviews.SelectMany(tokenizer.Tokenize).ToList();
        double unknown = tokens.Count(t => t == "[UNK]") / (double)tokens.Count;
        Assert.True(unknown < 0.03, $"[UNK] rate {unknown:P2} on held-out reviews");
    }
}
