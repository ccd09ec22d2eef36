using System.Globalization;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// A deterministic batch source for training tests: batch i is a function of (seed, i) only, with masked-LM labels on
/// about 15% of positions and class labels, so its position is just the batch index.
/// </summary>
internal sealed class SyntheticBatches(int vocab, int batch, int seqLen, int seed, int numLabels = 0, int distinctBatches = int.MaxValue) : ITrainingBatchSource
{
    private long _index;

    public double Epoch => _index / 10.0;

    public BertBatch NextBatch()
    {
        var rng = new Random(unchecked(seed * 1_000_003 + (int)(_index++ % distinctBatches)));
        int n = batch * seqLen;
        var ids = new int[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int token = rng.Next(5, vocab);
            ids[i] = i % seqLen == 0 ? 2 : token;
            // A learnable pattern: the masked token equals its left neighbour plus one (mod vocab).
            bool predict = i % seqLen > 1 && ids[i - 1] != 4 && rng.NextDouble() < 0.15;
            labels[i] = predict ? 5 + (ids[i - 1] - 5 + 1) % (vocab - 5) : -100;
            if (predict) ids[i] = 4; // [MASK] stand-in
        }
        return new BertBatch(batch, seqLen, ids)
        {
            MaskedLmLabels = labels,
            ClassLabels = numLabels > 0 ? [.. Enumerable.Range(0, batch).Select(b => ids[b * seqLen + 1] % numLabels)] : null,
        };
    }

    public string SavePosition() => _index.ToString(CultureInfo.InvariantCulture);

    public void RestorePosition(string position) => _index = long.Parse(position, CultureInfo.InvariantCulture);
}
