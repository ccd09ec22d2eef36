using System.Text.Json;
using Microsoft.ML.RobertaZh.Pretraining;
using static Microsoft.ML.RobertaZh.Tests.Pretraining.PretrainingFixtures;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public sealed class MlmBatcherTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly PretrainingDataset _dataset;

    public MlmBatcherTests()
    {
        string corpus = _dir.File("corpus.txt");
        WriteCorpus(corpus, RandomDocuments(8, 60, maxSentences: 6, maxSentenceLength: 30), CorpusFormat.DocumentPerLine);
        _dataset = PretrainingDataset.Preprocess(corpus, Tokenizer(), Segmenter(), new PretrainingDataOptions { MaxSeqLength = 24, MaxShardTokens = 500 }, _dir.File("data"));
    }

    public void Dispose()
    {
        _dataset.Dispose();
        _dir.Dispose();
    }

    private static string Fingerprint(MlmBatch batch) =>
        string.Join(',', batch.Batch.InputIds) + "|" + string.Join(',', batch.Batch.MaskedLmLabels!) + "|" + string.Join(',', batch.Instances);

    [Fact]
    public void EachEpochIsASeededPermutation()
    {
        var batcher = new MlmBatcher(_dataset);
        int n = _dataset.InstanceCount;
        Assert.True(n > 40);
        for (int epoch = 0; epoch < 3; epoch++) Assert.Equal(Enumerable.Range(0, n), batcher.GetOrder(epoch).Order());
        Assert.NotEqual(batcher.GetOrder(0), batcher.GetOrder(1));
        Assert.Equal(batcher.GetOrder(1), new MlmBatcher(_dataset).GetOrder(1));
        Assert.NotEqual(batcher.GetOrder(1), new MlmBatcher(_dataset, new MlmBatcherOptions { Seed = 99 }).GetOrder(1));
        Assert.Equal(Enumerable.Range(0, n), new MlmBatcher(_dataset, new MlmBatcherOptions { Shuffle = false }).GetOrder(5));
        var epoch0 = Enumerable.Range(0, batcher.BatchesPerEpoch(7)).SelectMany(b => batcher.GetBatch(0, b, 7).Instances);
        Assert.Equal(batcher.GetOrder(0), epoch0);
    }

    [Fact]
    public void ResumingFromASerializedPositionGivesTheSameBatches()
    {
        int batchSize = (_dataset.InstanceCount / 4) + 1; // four batches per epoch, the last one smaller
        var straight = new MlmBatcher(_dataset).GetBatches(new DataPosition(0, 0), batchSize).Take(12).ToList();
        Assert.Contains(straight, b => b.Next.Epoch == 1 && b.Next.Offset == 0); // the run crosses an epoch end
        Assert.True(straight[^1].Position.Epoch >= 2);
        string saved = JsonSerializer.Serialize(straight[4].Next);
        var resumedAt = JsonSerializer.Deserialize<DataPosition>(saved);
        var resumed = new MlmBatcher(_dataset).GetBatches(resumedAt, batchSize).Take(7).ToList();
        Assert.Equal(straight.Skip(5).Select(Fingerprint), resumed.Select(Fingerprint));
        Assert.Equal(Fingerprint(straight[7]), Fingerprint(new MlmBatcher(_dataset).Next(straight[7].Position, batchSize)));
    }

    [Fact]
    public void DynamicMasksDifferAcrossEpochsAndRepeatWithTheSeed()
    {
        var batcher = new MlmBatcher(_dataset, new MlmBatcherOptions { Shuffle = false });
        var epoch0 = batcher.GetBatch(0, 0, _dataset.InstanceCount);
        var epoch1 = batcher.GetBatch(1, 0, _dataset.InstanceCount);
        Assert.Equal(epoch0.Batch.InputIds.Length, epoch1.Batch.InputIds.Length);
        int seqLen = epoch0.Batch.SeqLen, changed = 0;
        for (int b = 0; b < epoch0.Batch.Batch; b++)
            if (!epoch0.Batch.MaskedLmLabels.AsSpan(b * seqLen, seqLen).SequenceEqual(epoch1.Batch.MaskedLmLabels.AsSpan(b * seqLen, seqLen))) changed++;
        Assert.True(changed > 0.9 * epoch0.Batch.Batch, $"only {changed} of {epoch0.Batch.Batch} masks changed");
        Assert.Equal(Fingerprint(epoch1), Fingerprint(new MlmBatcher(_dataset, new MlmBatcherOptions { Shuffle = false }).GetBatch(1, 0, _dataset.InstanceCount)));
        var otherSeed = new MlmBatcher(_dataset, new MlmBatcherOptions { Shuffle = false, Seed = 5 }).GetBatch(1, 0, _dataset.InstanceCount);
        Assert.NotEqual(Fingerprint(epoch1), Fingerprint(otherSeed));
    }

    [Fact]
    public void BatchesArePaddedToTheLongestInstance()
    {
        var batcher = new MlmBatcher(_dataset);
        foreach (var batch in Enumerable.Range(0, batcher.BatchesPerEpoch(5)).Select(b => batcher.GetBatch(2, b, 5)))
        {
            var lengths = batch.Instances.Select(_dataset.GetLength).ToList();
            Assert.Equal(lengths.Max(), batch.Batch.SeqLen);
            Assert.Equal(lengths.Sum(), batch.TokenCount);
            Assert.Equal(batch.TokenCount, batch.Batch.AttentionMask.Sum());
            Assert.Equal(batch.PredictionCount, batch.Batch.MaskedLmLabels!.Count(l => l != Masker.IgnoreLabel));
            Assert.All(batch.Batch.TokenTypeIds, t => Assert.Equal(0, t));
            for (int i = 0; i < batch.Batch.InputIds.Length; i++)
            {
                if (batch.Batch.AttentionMask[i] != 0) continue;
                Assert.Equal(Pad, batch.Batch.InputIds[i]);
                Assert.Equal(Masker.IgnoreLabel, batch.Batch.MaskedLmLabels![i]);
            }
            for (int b = 0; b < batch.Batch.Batch; b++)
                Assert.Equal(Cls, batch.Batch.InputIds[b * batch.Batch.SeqLen]);
        }
        var fixedLength = new MlmBatcher(_dataset, new MlmBatcherOptions { FixedLength = 24 }).GetBatch(0, 0, 3);
        Assert.Equal(24, fixedLength.Batch.SeqLen);
        Assert.Equal(32, new MlmBatcher(_dataset, new MlmBatcherOptions { PadToMultipleOf = 16, FixedLength = 24 }).GetBatch(0, 0, 1).Batch.SeqLen);
        Assert.Throws<InvalidOperationException>(() => new MlmBatcher(_dataset, new MlmBatcherOptions { FixedLength = 2 }).GetBatch(0, 0, 1));
    }

    [Fact]
    public void TheLastBatchOfAnEpochIsSmallerAndPositionsAreChecked()
    {
        var batcher = new MlmBatcher(_dataset);
        int n = _dataset.InstanceCount, size = 7;
        var last = batcher.GetBatch(0, batcher.BatchesPerEpoch(size) - 1, size);
        Assert.Equal(n - ((batcher.BatchesPerEpoch(size) - 1) * size), last.Batch.Batch);
        Assert.Equal(new DataPosition(1, 0), last.Next);
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Next(new DataPosition(0, n), size));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.GetBatch(0, batcher.BatchesPerEpoch(size), size));
    }

    [Fact]
    public void StaticMasksCycleThroughTheStoredCopies()
    {
        string corpus = _dir.File("static.txt");
        WriteCorpus(corpus, RandomDocuments(9, 20), CorpusFormat.DocumentPerLine);
        using var dataset = PretrainingDataset.Preprocess(corpus, Tokenizer(), Segmenter(),
            new PretrainingDataOptions { MaxSeqLength = 24, Masking = new MaskingOptions { Dynamic = false, DuplicationFactor = 2 } }, _dir.File("static"));
        var batcher = new MlmBatcher(dataset, new MlmBatcherOptions { Shuffle = false });
        string Labels(int epoch) => string.Join(',', batcher.GetBatch(epoch, 0, dataset.InstanceCount).Batch.MaskedLmLabels!);
        Assert.Equal(Labels(0), Labels(2));
        Assert.Equal(Labels(1), Labels(5));
        Assert.NotEqual(Labels(0), Labels(1));
        // Static copy c holds exactly the dynamic masks of epoch c.
        var dynamic = new MlmBatcher(dataset, new MlmBatcherOptions { Shuffle = false, Masking = new MaskingOptions() });
        Assert.Equal(Labels(1), string.Join(',', dynamic.GetBatch(1, 0, dataset.InstanceCount).Batch.MaskedLmLabels!));
        Assert.NotEqual(Labels(1), string.Join(',', dynamic.GetBatch(3, 0, dataset.InstanceCount).Batch.MaskedLmLabels!));
    }
}
