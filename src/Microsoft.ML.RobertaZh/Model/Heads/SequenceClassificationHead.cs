using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Heads;

/// <summary>HF BertForSequenceClassification's head: classifier(dropout(pooled)), cross-entropy over the labels.</summary>
internal static class SequenceClassificationHead
{
    public static void Forward(BertParameterLayout layout, float[] p, BertActivations a, DropoutContext drop)
    {
        var c = layout.Config;
        int h = c.HiddenSize, labels = layout.Heads.NumLabels, bsz = a.Batch;
        // HF: classifier_dropout if set, else hidden_dropout_prob.
        float pDrop = drop.Active ? (c.ClassifierDropout ?? c.HiddenDropoutProb) : 0f;
        if (pDrop > 0) Dropout.Forward(a.ClassifierInput, a.ClassifierDropout, a.Pooled, pDrop, drop.Seed, drop.Classifier);
        else a.Pooled.AsSpan(0, bsz * h).CopyTo(a.ClassifierInput);
        MatMul.Forward(a.ClassLogits, a.ClassifierInput, BertEncoder.P(p, layout.ClassifierWeight, labels * h),
            BertEncoder.P(p, layout.ClassifierBias, labels), bsz, h, labels);
    }

    /// <summary>Mean cross-entropy of the logits against <paramref name="labels"/> (-100 ignored); fills the probabilities.</summary>
    public static float Loss(BertParameterLayout layout, BertActivations a, int[] labels, out int count)
    {
        int numLabels = layout.Heads.NumLabels;
        for (int b = 0; b < labels.Length; b++)
            if (labels[b] != -100 && (uint)labels[b] >= (uint)numLabels)
                throw new ArgumentException($"Class label {labels[b]} of sequence {b} is outside [0, {numLabels}).");
        return CrossEntropy.Forward(a.ClassLosses, a.ClassProbs, a.ClassLogits, labels, a.Batch, numLabels, out count);
    }

    /// <summary>Adds the gradient of <paramref name="lossScale"/> × mean loss into the parameters and into <paramref name="dPooled"/>.</summary>
    public static void Backward(BertParameterLayout layout, float[] p, float[] g, BertActivations a, int[] labels, int count, float lossScale, DropoutContext drop, Span<float> dPooled)
    {
        var c = layout.Config;
        int h = c.HiddenSize, numLabels = layout.Heads.NumLabels, bsz = a.Batch;
        if (count == 0) return;
        var dLogits = a.ClassLogitsGrad.AsSpan(0, bsz * numLabels);
        dLogits.Clear();
        CrossEntropy.Backward(dLogits, a.ClassProbs, labels, bsz, numLabels, lossScale / count);
        // The pooler's backward has not started yet, so its first scratch buffer is free here.
        var dInput = a.HeadScratchA.AsSpan(0, bsz * h);
        dInput.Clear();
        MatMul.Backward(dInput, BertEncoder.P(g, layout.ClassifierWeight, numLabels * h), BertEncoder.P(g, layout.ClassifierBias, numLabels),
            dLogits, a.ClassifierInput, BertEncoder.P(p, layout.ClassifierWeight, numLabels * h), bsz, h, numLabels);
        float pDrop = drop.Active ? (c.ClassifierDropout ?? c.HiddenDropoutProb) : 0f;
        if (pDrop > 0) Dropout.Backward(dPooled, dInput, a.ClassifierDropout, pDrop);
        else System.Numerics.Tensors.TensorPrimitives.Add(dPooled, dInput, dPooled);
    }
}
