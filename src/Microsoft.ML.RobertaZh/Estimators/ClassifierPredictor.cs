using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>Batched inference of class probabilities; windows of one row are averaged.</summary>
internal static class ClassifierPredictor
{
    /// <summary>Softmax probabilities, one array per row; <paramref name="rows"/> holds each row's examples (windows).</summary>
    public static float[][] Predict(BertModel model, IReadOnlyList<ClassificationExample[]> rows, int batchSize, int padTokenId)
    {
        int labels = model.Heads.NumLabels;
        var flat = rows.SelectMany((r, i) => r.Select(e => (Row: i, Example: e))).ToList();
        // Similar lengths together: less padding, same results (outputs do not depend on batching).
        var order = Enumerable.Range(0, flat.Count).OrderBy(i => flat[i].Example.InputIds.Length).ToArray();
        var sums = rows.Select(_ => new float[labels]).ToArray();
        var counts = new int[rows.Count];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var chunk = order.Skip(start).Take(batchSize).ToArray();
            var batch = ClassificationBatchSource.Build([.. chunk.Select(i => flat[i].Example)], padTokenId);
            var logits = model.Forward(new BertBatch(batch.Batch, batch.SeqLen, batch.InputIds, batch.TokenTypeIds, batch.AttentionMask)).Logits!;
            for (int b = 0; b < chunk.Length; b++)
            {
                var p = Softmax(logits.AsSpan(b * labels, labels));
                int row = flat[chunk[b]].Row;
                for (int c = 0; c < labels; c++) sums[row][c] += p[c];
                counts[row]++;
            }
        }
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < labels; c++) sums[r][c] /= Math.Max(1, counts[r]);
        return sums;
    }

    /// <summary>Softmax of one row of logits (max-subtracted, as the kernel does).</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var p = new float[logits.Length];
        Tensors.Kernels.Softmax.Forward(p, logits, default, 1, logits.Length);
        return p;
    }
}
