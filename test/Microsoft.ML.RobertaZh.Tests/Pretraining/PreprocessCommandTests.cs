using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Tests.Segmentation;
using static Microsoft.ML.RobertaZh.Tests.Pretraining.PretrainingFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public sealed class PreprocessCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _corpus, _vocab, _dict, _hmm;

    public PreprocessCommandTests()
    {
        _corpus = _dir.File("corpus.txt");
        WriteCorpus(_corpus, RandomDocuments(4, 30), CorpusFormat.SentencePerLine);
        _vocab = _dir.File("vocab.txt");
        Vocab.Value.Save(_vocab);
        _dict = _dir.File("dict.txt");
        File.WriteAllText(_dict, TinySegmenter.Dictionary);
        _hmm = _dir.File("hmm.json");
        File.WriteAllText(_hmm, TinySegmenter.HmmJson);
    }

    public void Dispose() => _dir.Dispose();

    private int Invoke(params string[] extra) =>
        PreprocessCommand.Create().Parse(["--corpus", _corpus, "--vocab", _vocab, "--output", _dir.File("out"), .. extra]).Invoke();

    [Fact]
    public void PreprocessesThenReportsUpToDate()
    {
        var options = new PretrainingDataOptions { MaxSeqLength = 32, HoldOutDocuments = 3 };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        PreprocessCommand.Run(new FileInfo(_corpus), new FileInfo(_vocab), new FileInfo(_dict), new FileInfo(_hmm), new DirectoryInfo(_dir.File("out")), options, stdout, stderr);
        Assert.StartsWith("Preprocessed 30 documents into ", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("Held out: 3 documents", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("100.0%", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("tok/s", stderr.ToString(), StringComparison.Ordinal);
        stdout = new StringWriter();
        PreprocessCommand.Run(new FileInfo(_corpus), new FileInfo(_vocab), new FileInfo(_dict), new FileInfo(_hmm), new DirectoryInfo(_dir.File("out")), options, stdout, new StringWriter());
        Assert.Contains("is up to date", stdout.ToString(), StringComparison.Ordinal);
        using var dataset = PretrainingDataset.Open(_dir.File("out"));
        Assert.Equal(27, dataset.DocumentCount);
    }

    [Fact]
    public void WholeWordMaskingWithoutJiebaIsAUserError()
    {
        var e = Assert.Throws<CommandLineException>(() => PreprocessCommand.Run(new FileInfo(_corpus), new FileInfo(_vocab), null, null,
            new DirectoryInfo(_dir.File("out")), new PretrainingDataOptions(), new StringWriter(), new StringWriter()));
        Assert.Contains("--jieba-dict", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, Invoke());
        Assert.Equal(2, Invoke("--masking", "token", "--dupe-factor", "3"));
        Assert.Equal(2, Invoke("--masking", "token", "--seq-length", "2"));
        Assert.Equal(2, Invoke("--jieba-dict", _dict));
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void OptionsReachTheDataset()
    {
        Assert.Equal(0, Invoke("--masking", "span", "--static", "--dupe-factor", "2", "--seq-length", "40", "--mask-prob", "0.1",
            "--max-predictions", "23", "--short-seq-prob", "0", "--format", "sentence", "--seed", "7", "--threads", "1"));
        using var dataset = PretrainingDataset.Open(_dir.File("out"));
        var o = dataset.Options;
        Assert.Equal((40, 0.0, CorpusFormat.SentencePerLine, 7UL), (o.MaxSeqLength, o.ShortSeqProbability, o.Format, o.Seed));
        Assert.Equal(new MaskingOptions { Strategy = MaskingStrategy.Span, Dynamic = false, DuplicationFactor = 2, Probability = 0.1, MaxPredictions = 23 }, o.Masking);
        Assert.Equal(2, dataset.StaticCopies);
        Assert.Equal(0, Invoke("--jieba-dict", _dict, "--jieba-hmm", _hmm));
    }
}
