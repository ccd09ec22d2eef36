using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class RealCorpusTests
{
    [SharedDataFact]
    public void FirstHundredDocumentsOfCluecorpusSmall()
    {
        string data = Fixtures.SharedData!;
        using var dir = new TempDirectory();
        string corpus = dir.File("sample.txt");
        File.WriteAllLines(corpus, File.ReadLines(Path.Combine(data, "corpora", "CLUECorpusSmall_sampled.txt")).Take(100));
        var tokenizer = BertTokenizer.Load(Path.Combine(data, "vocab", "google_zh_vocab.txt"));
        var segmenter = JiebaSegmenter.Load(Path.Combine(data, "jieba", "dict.txt"), Path.Combine(data, "jieba", "hmm_model.json"));
        using var dataset = PretrainingDataset.Preprocess(corpus, tokenizer, segmenter, new PretrainingDataOptions { HoldOutDocuments = 5 }, dir.File("out"));
        Assert.Equal(95, dataset.DocumentCount);
        Assert.Equal(5, dataset.HeldOut!.DocumentCount);

        long chineseTokens = 0, chineseStarts = 0;
        for (int i = 0; i < dataset.InstanceCount; i++)
        {
            var ids = dataset.GetTokenIds(i);
            var starts = dataset.GetWordStarts(i);
            Assert.InRange(ids.Length, 3, 128);
            Assert.Equal(101, ids[0]);
            Assert.Equal(102, ids[^1]);
            for (int t = 1; t < ids.Length - 1; t++)
            {
                string token = tokenizer.Vocabulary[ids[t]];
                if (token.Length != 1 || token[0] is < '\u4E00' or > '\u9FA5') continue;
                chineseTokens++;
                chineseStarts += starts[t];
            }
        }
        // jieba makes most Chinese words two characters long: about 60% of characters start a word, never all.
        double startFraction = chineseStarts / (double)chineseTokens;
        Assert.InRange(startFraction, 0.45, 0.8);
        Assert.InRange(dataset.InstanceCount, 150, 600);

        var batcher = new MlmBatcher(dataset);
        long tokens = 0, predicted = 0;
        for (int b = 0; b < batcher.BatchesPerEpoch(32); b++)
        {
            var batch = batcher.GetBatch(0, b, 32);
            tokens += batch.TokenCount;
            predicted += batch.PredictionCount;
        }
        // Near 15%: whole words that would overshoot are skipped, while short instances round up (max(1, round(n·0.15))).
        Assert.InRange(predicted / (double)tokens, 0.13, 0.16);
    }
}
