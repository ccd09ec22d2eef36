using Microsoft.ML.RobertaZh.Pretraining;
using static Microsoft.ML.RobertaZh.Tests.Pretraining.PretrainingFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public sealed class PretrainingDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<List<string>> _documents = RandomDocuments(21, 120, maxSentences: 10, maxSentenceLength: 40);
    private readonly string _corpus;

    public PretrainingDatasetTests()
    {
        _corpus = _dir.File("corpus.txt");
        WriteCorpus(_corpus, _documents, CorpusFormat.DocumentPerLine);
    }

    public void Dispose() => _dir.Dispose();

    private static readonly PretrainingDataOptions Small = new() { MaxSeqLength = 32, ShortSeqProbability = 0.2, MaxShardTokens = 1000 };

    private PretrainingDataset Build(PretrainingDataOptions? options = null, string output = "out") =>
        PretrainingDataset.Preprocess(_corpus, Tokenizer(), Segmenter(), options ?? Small, _dir.File(output));

    private static List<int[]> Instances(PretrainingDataset dataset) =>
        [.. Enumerable.Range(0, dataset.InstanceCount).Select(i => dataset.GetTokenIds(i).ToArray())];

    [Fact]
    public void ShardsRoundTripThePackedInstancesInCorpusOrder()
    {
        var packer = new InstancePacker(Tokenizer(), Segmenter(), 32, 0.2, Small.Seed);
        var expected = new List<PackedInstance>();
        foreach (var document in CorpusReader.Read(_corpus)) packer.Pack(document, expected);
        using var built = Build();
        Assert.False(built.Reused);
        Assert.True(Directory.GetFiles(built.Directory, "train-*.bin").Length > 3, "expected several shards");
        using var dataset = PretrainingDataset.Open(built.Directory);
        Assert.Equal(expected.Count, dataset.InstanceCount);
        Assert.Equal(120, dataset.DocumentCount);
        Assert.Equal(expected.Sum(i => (long)i.Ids.Length), dataset.TokenCount);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Ids, dataset.GetTokenIds(i).ToArray());
            Assert.Equal(expected[i].WordStarts, dataset.GetWordStarts(i).ToArray());
            Assert.Equal(expected[i].Ids.Length, dataset.GetLength(i));
        }
        Assert.Null(dataset.HeldOut);
        Assert.Equal(0, dataset.StaticCopies);
        Assert.Equal(Mask, dataset.MaskTokenId);
        Assert.Contains(Cls, dataset.SpecialTokenIds);
        Assert.Contains(5, dataset.SpecialTokenIds); // [unused5]
    }

    [Fact]
    public void DocumentsAreNeverMixedAndSentenceOrderIsKept()
    {
        using var dataset = Build();
        var groupOf = new Dictionary<int, int>();
        for (int g = 0; g < Groups.Length; g++)
            foreach (string c in Groups[g]) groupOf[Id(c)] = g;
        foreach (var ids in Instances(dataset))
            Assert.True(ids.Where(groupOf.ContainsKey).Select(id => groupOf[id]).Distinct().Count() <= 1, "an instance mixes documents");
        var tokenizer = Tokenizer();
        var corpusIds = _documents.SelectMany(d => d).SelectMany(s => tokenizer.Encode(s, options: new() { AddSpecialTokens = false }).Ids);
        Assert.Equal(corpusIds, Instances(dataset).SelectMany(i => i[1..^1]));
    }

    [Fact]
    public void CorruptionAndTruncationAreDetectedNamingTheShard()
    {
        string directory;
        using (var dataset = Build()) directory = dataset.Directory;
        string shard = Path.Combine(directory, "train-00001.bin");
        var bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(shard, bytes);
        var corrupt = Assert.Throws<InvalidDataException>(() => PretrainingDataset.Open(directory));
        Assert.Contains(shard, corrupt.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", corrupt.Message, StringComparison.Ordinal);

        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(shard, bytes[..^100]);
        var truncated = Assert.Throws<InvalidDataException>(() => PretrainingDataset.Open(directory));
        Assert.Contains(shard, truncated.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);

        File.WriteAllBytes(shard, bytes[..10]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => PretrainingDataset.Open(directory)).Message, StringComparison.Ordinal);
        File.Delete(shard);
        Assert.Contains("missing", Assert.Throws<InvalidDataException>(() => PretrainingDataset.Open(directory)).Message, StringComparison.Ordinal);

        // Preprocess notices the damage and rebuilds.
        using (var rebuilt = Build()) Assert.False(rebuilt.Reused);
        using (var reopened = PretrainingDataset.Open(directory)) Assert.True(reopened.InstanceCount > 0);
        File.Delete(Path.Combine(directory, "manifest.json"));
        Assert.Throws<FileNotFoundException>(() => PretrainingDataset.Open(directory));
    }

    [Fact]
    public void RebuildsOnlyWhenTheCorpusOrTheSettingsChange()
    {
        string shard;
        DateTime written;
        using (var first = Build())
        {
            Assert.False(first.Reused);
            shard = Path.Combine(first.Directory, "train-00000.bin");
            written = File.GetLastWriteTimeUtc(shard);
        }
        using (var again = Build(Small with { DegreeOfParallelism = 1 }))
        {
            Assert.True(again.Reused);
            Assert.Equal(written, File.GetLastWriteTimeUtc(shard));
        }
        // Dynamic masking settings do not change the shards: reused, and the options asked for are recorded.
        var dynamicMasking = new MaskingOptions { Probability = 0.1, Strategy = MaskingStrategy.Span };
        using (var remasked = Build(Small with { Masking = dynamicMasking }))
        {
            Assert.True(remasked.Reused);
            Assert.Equal(dynamicMasking, remasked.Options.Masking);
        }
        using (var reopened = PretrainingDataset.Open(_dir.File("out"))) Assert.Equal(dynamicMasking, reopened.Options.Masking);
        using (var longer = Build(Small with { MaxSeqLength = 64 })) Assert.False(longer.Reused);
        using (var same = Build(Small with { MaxSeqLength = 64 })) Assert.True(same.Reused);
        using (var masked = Build(Small with { MaxSeqLength = 64, Masking = new MaskingOptions { Dynamic = false } })) Assert.False(masked.Reused);
        File.AppendAllText(_corpus, "新的文档。\n");
        using (var grown = Build(Small with { MaxSeqLength = 64, Masking = new MaskingOptions { Dynamic = false } }))
        {
            Assert.False(grown.Reused);
            Assert.Equal(121, grown.DocumentCount);
        }
        using var plain = PretrainingDataset.Preprocess(_corpus, Tokenizer(), null, Small with { Masking = new MaskingOptions { Strategy = MaskingStrategy.Token } }, _dir.File("out"));
        Assert.False(plain.Reused);
    }

    [Fact]
    public void ShardBytesDoNotDependOnTheThreadCount()
    {
        var options = Small with { Masking = new MaskingOptions { Dynamic = false, DuplicationFactor = 2 }, HoldOutDocuments = 7 };
        using (Build(options with { DegreeOfParallelism = 1 }, "one")) { }
        using (Build(options with { DegreeOfParallelism = 4 }, "four")) { }
        var names = Directory.GetFiles(_dir.File("one"), "*.bin").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(names, Directory.GetFiles(_dir.File("four"), "*.bin").Select(Path.GetFileName).Order());
        Assert.Contains("heldout-00000.bin", names);
        foreach (string? name in names)
            Assert.True(File.ReadAllBytes(Path.Combine(_dir.File("one"), name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(_dir.File("four"), name!))), name);
    }

    [Fact]
    public void HeldOutDocumentsFormTheirOwnSplit()
    {
        using var dataset = Build(Small with { HoldOutDocuments = 10 });
        var heldOut = Assert.IsType<PretrainingDataset>(dataset.HeldOut);
        Assert.Equal(110, dataset.DocumentCount);
        Assert.Equal(10, heldOut.DocumentCount);
        using var all = Build(Small, "all");
        Assert.Equal(all.InstanceCount, dataset.InstanceCount + heldOut.InstanceCount);
        Assert.Equal(all.TokenCount, dataset.TokenCount + heldOut.TokenCount);
        // Document d is held out when floor((d+1)·10/120) > floor(d·10/120): documents 11, 23, …, 119; groups 3 only.
        var others = Groups[..3].SelectMany(g => g).Select(Id).ToHashSet();
        Assert.All(Instances(heldOut), ids => Assert.DoesNotContain(ids, others.Contains));
    }

    [Fact]
    public void StaticMasksAreTheDynamicMasksOfTheCopysEpoch()
    {
        var masking = new MaskingOptions { Dynamic = false, DuplicationFactor = 3 };
        using var dataset = Build(Small with { Masking = masking });
        Assert.Equal(3, dataset.StaticCopies);
        var masker = dataset.CreateMasker();
        for (int i = 0; i < dataset.InstanceCount; i++)
        {
            int n = dataset.GetLength(i);
            for (int copy = 0; copy < 3; copy++)
            {
                int[] storedInput = new int[n], storedLabels = new int[n], input = new int[n], labels = new int[n];
                int stored = dataset.GetStaticMask(i, copy, storedInput, storedLabels);
                int count = masker.Mask(dataset.GetTokenIds(i), dataset.GetWordStarts(i), input, labels, MaskRandom.ForInstance(Small.Seed, copy, i));
                Assert.Equal(count, stored);
                Assert.Equal(input, storedInput);
                Assert.Equal(labels, storedLabels);
            }
        }
        using var dynamic = Build(Small, "dynamic");
        Assert.Throws<InvalidOperationException>(() => dynamic.GetStaticMask(0, 0, new int[dynamic.GetLength(0)], new int[dynamic.GetLength(0)]));
    }

    [Fact]
    public void SentencePerLineCorpusGivesTheSameInstances()
    {
        string google = _dir.File("google.txt");
        WriteCorpus(google, _documents, CorpusFormat.SentencePerLine);
        using var fromLines = Build();
        using var fromSentences = PretrainingDataset.Preprocess(google, Tokenizer(), Segmenter(), Small, _dir.File("google"));
        Assert.Equal(Instances(fromLines), Instances(fromSentences));
    }

    [Fact]
    public void BadInputIsReported()
    {
        Assert.Throws<ArgumentException>(() => PretrainingDataset.Preprocess(_corpus, Tokenizer(), null, Small, _dir.File("x")));
        Assert.Throws<ArgumentException>(() => Build(Small with { MaxSeqLength = 2 }));
        File.AppendAllBytes(_corpus, [0xFF, (byte)'\n']);
        var e = Assert.Throws<InvalidDataException>(() => Build());
        Assert.Contains($"{_corpus}, line 121", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("out/manifest.json")));
    }

    [Fact]
    public void CancellationLeavesNoManifest()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(_ => cancel.Cancel());
        var options = Small with { DegreeOfParallelism = 1 };
        WriteCorpus(_corpus, RandomDocuments(5, 2000), CorpusFormat.DocumentPerLine);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PretrainingDataset.Preprocess(_corpus, Tokenizer(), Segmenter(), options, _dir.File("c"), progress, cancel.Token));
        Assert.False(File.Exists(_dir.File("c/manifest.json")));
        using var dataset = PretrainingDataset.Preprocess(_corpus, Tokenizer(), Segmenter(), options, _dir.File("c"));
        Assert.Equal(2000, dataset.DocumentCount);
    }

    [Fact]
    public void ProgressEndsAtTheWholeCorpus()
    {
        var reports = new List<PreprocessProgress>();
        using var dataset = PretrainingDataset.Preprocess(_corpus, Tokenizer(), Segmenter(), Small, _dir.File("p"), new SyncProgress(reports.Add));
        Assert.NotEmpty(reports);
        Assert.Equal(120, reports[^1].Documents);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(dataset.TokenCount - (2 * dataset.InstanceCount), reports[^1].Tokens);
    }

    private sealed class SyncProgress(Action<PreprocessProgress> report) : IProgress<PreprocessProgress>
    {
        public void Report(PreprocessProgress value) => report(value);
    }
}
