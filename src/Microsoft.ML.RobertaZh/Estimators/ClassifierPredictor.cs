using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Batched inference of class probabilities on an engine: the one place where a classifier's forward pass runs
/// (training's validation on the training engine, Transform, PredictionEngine and Predict on the transformer's engine).
/// Windows of one row are averaged.
/// </summary>
internal static class ClassifierPredictor
{
    /// <summary>
    /// Softmax probabilities, one array per row; <paramref name="rows"/> holds each row's examples (windows). With
    /// <paramref name="withMargin"/> and two classes each array has a third value, the margin logit₁ − logit₀ (for
    /// averaged windows, log p̄₁ − log p̄₀, so that its sigmoid is p̄₁).
    /// </summary>
    public static float[][] Predict(IBertEngine engine, IReadOnlyList<ClassificationExample[]> rows, int batchSize, int padTokenId, bool withMargin = false)
    {
        int labels = engine.Layout.Heads.NumLabels;
        bool margin = withMargin && labels == 2;
        var flat = rows.SelectMany((r, i) => r.Select(e => (Row: i, Example: e))).ToList();
        // Similar lengths together: less padding, same results (outputs do not depend on batching).
        var order = Enumerable.Range(0, flat.Count).OrderBy(i => flat[i].Example.InputIds.Length).ToArray();
        var sums = rows.Select(_ => new float[labels + (margin ? 1 : 0)]).ToArray();
        var counts = new int[rows.Count];
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var chunk = order.Skip(start).Take(batchSize).ToArray();
            var batch = ClassificationBatchSource.Build([.. chunk.Select(i => flat[i].Example)], padTokenId);
            var logits = engine.ForwardLogits(new BertBatch(batch.Batch, batch.SeqLen, batch.InputIds, batch.TokenTypeIds, batch.AttentionMask));
            for (int b = 0; b < chunk.Length; b++)
            {
                var row = logits.AsSpan(b * labels, labels);
                var p = Softmax(row);
                int r = flat[chunk[b]].Row;
                for (int c = 0; c < labels; c++) sums[r][c] += p[c];
                if (margin) sums[r][2] = row[1] - row[0];
                counts[r]++;
            }
        }

        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < labels; c++) sums[r][c] /= Math.Max(1, counts[r]);
            if (margin && counts[r] > 1) sums[r][2] = MathF.Log(MathF.Max(sums[r][1], 1e-30f)) - MathF.Log(MathF.Max(sums[r][0], 1e-30f));
        }

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
