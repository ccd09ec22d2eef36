using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// <see cref="IBertEngine.Evaluate"/> computed from an engine's <see cref="IBertEngine.Forward"/> alone, for engines
/// without a loss of their own (inference-only engines): mean negative log-probability of the masked-LM labels and of
/// the class labels (-100 ignored), with the counts and correct masked-LM predictions.
/// </summary>
public static class InferenceLoss
{
    /// <summary>The losses of the heads that have labels in <paramref name="batch"/>.</summary>
    public static BertLoss Evaluate(IBertEngine engine, BertBatch batch)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(batch);
        var heads = engine.Layout.Heads;
        int[]? rows = batch.MaskedLmLabels is { } labels && heads.MaskedLm
            ? [.. Enumerable.Range(0, labels.Length).Where(i => labels[i] != -100)]
            : null;
        var output = engine.Forward(batch, rows is { Length: > 0 } ? rows : null);

        double mlm = 0;
        int mlmCount = 0, correct = 0;
        if (rows is { Length: > 0 } && output.MaskedLmLogProbabilities is { } logProbs)
        {
            int v = engine.Layout.Config.VocabSize;
            for (int r = 0; r < rows.Length; r++)
            {
                var row = logProbs.AsSpan(r * v, v);
                int label = batch.MaskedLmLabels![rows[r]];
                mlm -= row[label];
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == label) correct++;
            }
            mlmCount = rows.Length;
            mlm /= mlmCount;
        }

        double cls = 0;
        int clsCount = 0;
        if (batch.ClassLabels is { } classes && heads.NumLabels > 0 && output.Logits is { } logits)
        {
            int k = heads.NumLabels;
            var logSoftmax = new float[k];
            for (int b = 0; b < classes.Length; b++)
            {
                if (classes[b] == -100) continue;
                if ((uint)classes[b] >= (uint)k) throw new ArgumentException($"Class label {classes[b]} of sequence {b} is outside [0, {k}).", nameof(batch));
                Tensors.Kernels.Softmax.LogForward(logSoftmax, logits.AsSpan(b * k, k), 1, k);
                cls -= logSoftmax[classes[b]];
                clsCount++;
            }
            if (clsCount > 0) cls /= clsCount;
        }
        return new BertLoss((float)(mlm + cls), (float)mlm, mlmCount, correct, (float)cls, clsCount);
    }
}
