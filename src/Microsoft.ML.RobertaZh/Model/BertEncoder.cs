using System.Numerics.Tensors;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model;

/// <summary>
/// Embeddings and post-LN transformer layers (Hugging Face BertEmbeddings + BertEncoder), forward and backward side by side.
/// Backward adds into the gradient buffer and reads only what the forward pass saved in <see cref="BertActivations"/>.
/// </summary>
internal static class BertEncoder
{
    public static void Forward(BertParameterLayout layout, float[] p, BertActivations a, BertBatch batch, DropoutContext drop)
    {
        var c = layout.Config;
        int bsz = a.Batch, t = a.SeqLen, n = a.Tokens, h = c.HiddenSize, ff = c.IntermediateSize, heads = c.NumAttentionHeads;
        float pHidden = drop.Active ? c.HiddenDropoutProb : 0f, pAttention = drop.Active ? c.AttentionProbsDropoutProb : 0f;

        // HF get_extended_attention_mask: (1 − mask) · finfo(float32).min, added to the attention scores.
        for (int i = 0; i < n; i++) a.AdditiveMask[i] = batch.AttentionMask[i] != 0 ? 0f : float.MinValue;

        Embedding.Forward(a.EmbeddingSum, batch.InputIds, batch.TokenTypeIds,
            P(p, layout.WordEmbeddings, c.VocabSize * h), P(p, layout.PositionEmbeddings, c.MaxPositionEmbeddings * h),
            P(p, layout.TokenTypeEmbeddings, c.TypeVocabSize * h), bsz, t, h);
        LayerNorm.Forward(a.EmbeddingOutput, a.EmbeddingMean, a.EmbeddingRstd, a.EmbeddingSum,
            P(p, layout.EmbeddingLayerNormWeight, h), P(p, layout.EmbeddingLayerNormBias, h), n, h, c.LayerNormEps);
        if (pHidden > 0) Dropout.Forward(a.EmbeddingOutput, a.EmbeddingDropout, a.EmbeddingOutput, pHidden, drop.Seed, drop.Embeddings);

        float[] x = a.EmbeddingOutput;
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var o = layout.Layers[l];
            var s = a.Layer(l);
            // Self-attention: one product for query, key and value, then softmax(QKᵀ/√d + mask)·V per head.
            MatMul.Forward(s.Qkv, x, P(p, o.QkvWeight, 3 * h * h), P(p, o.QkvBias, 3 * h), n, h, 3 * h);
            // Inference (no backward to feed): the inference kernel, which keeps no probabilities — the same values as
            // the fused pass in Model/Inference.
            if (a.Training) Attention.Forward(s.Context, s.AttentionProbs, s.AttentionDropout, s.Qkv, a.AdditiveMask, bsz, t, h, heads, pAttention, drop.Seed, drop.Attention(l));
            else Attention.ForwardInference(s.Context, s.Qkv, a.AdditiveMask, bsz, t, h, heads);
            // BertSelfOutput: LayerNorm(dropout(dense(context)) + input); dropout and the residual are applied in place.
            MatMul.Forward(s.Residual1, s.Context, P(p, o.AttentionOutputWeight, h * h), P(p, o.AttentionOutputBias, h), n, h, h);
            if (pHidden > 0) Dropout.Forward(s.Residual1, s.Dropout1, s.Residual1, pHidden, drop.Seed, drop.AttentionOutput(l));
            TensorPrimitives.Add(s.Residual1, x.AsSpan(0, n * h), s.Residual1);
            LayerNorm.Forward(s.LayerNorm1, s.Mean1, s.Rstd1, s.Residual1,
                P(p, o.AttentionLayerNormWeight, h), P(p, o.AttentionLayerNormBias, h), n, h, c.LayerNormEps);
            // BertIntermediate + BertOutput: LayerNorm(dropout(dense(gelu(dense(x)))) + x).
            MatMul.Forward(s.IntermediatePre, s.LayerNorm1, P(p, o.IntermediateWeight, ff * h), P(p, o.IntermediateBias, ff), n, h, ff);
            Gelu.Forward(s.Intermediate, s.IntermediatePre);
            MatMul.Forward(s.Residual2, s.Intermediate, P(p, o.OutputWeight, h * ff), P(p, o.OutputBias, h), n, ff, h);
            if (pHidden > 0) Dropout.Forward(s.Residual2, s.Dropout2, s.Residual2, pHidden, drop.Seed, drop.FeedForwardOutput(l));
            TensorPrimitives.Add(s.Residual2, s.LayerNorm1, s.Residual2);
            LayerNorm.Forward(s.LayerNorm2, s.Mean2, s.Rstd2, s.Residual2,
                P(p, o.OutputLayerNormWeight, h), P(p, o.OutputLayerNormBias, h), n, h, c.LayerNormEps);
            x = s.LayerNorm2;
        }
    }

    /// <summary>
    /// Backpropagates <c>scratch.DHidden</c> (the gradient of the last hidden state, (N, hidden)) through the layers and
    /// embeddings, adding parameter gradients into <paramref name="g"/>. Consumes the scratch buffers.
    /// </summary>
    public static void Backward(BertParameterLayout layout, float[] p, float[] g, BertActivations a, BertBatch batch, BertGradientScratch d, DropoutContext drop)
    {
        var c = layout.Config;
        int bsz = a.Batch, t = a.SeqLen, n = a.Tokens, h = c.HiddenSize, ff = c.IntermediateSize, heads = c.NumAttentionHeads;
        float pHidden = drop.Active ? c.HiddenDropoutProb : 0f, pAttention = drop.Active ? c.AttentionProbsDropoutProb : 0f;
        Span<float> dx = d.DHidden.AsSpan(0, n * h);
        Span<float> dRes = d.DResidual.AsSpan(0, n * h);
        Span<float> dLn1 = d.DLayerNorm1.AsSpan(0, n * h);
        Span<float> dDrop = d.DDropped.AsSpan(0, n * h);
        Span<float> dContext = d.DContext.AsSpan(0, n * h);
        Span<float> dQkv = d.DQkv.AsSpan(0, n * 3 * h);
        Span<float> dInter = d.DIntermediate.AsSpan(0, n * ff);

        for (int l = c.NumHiddenLayers - 1; l >= 0; l--)
        {
            var o = layout.Layers[l];
            var s = a.Layer(l);
            float[] input = l == 0 ? a.EmbeddingOutput : a.Layer(l - 1).LayerNorm2;

            // LayerNorm 2; its input was dropout(dense2) + LayerNorm1, so the gradient forks.
            dRes.Clear();
            LayerNorm.Backward(dRes, P(g, o.OutputLayerNormWeight, h), P(g, o.OutputLayerNormBias, h), dx, s.Residual2,
                P(p, o.OutputLayerNormWeight, h), s.Mean2, s.Rstd2, n, h);
            dRes.CopyTo(dLn1);
            ReadOnlySpan<float> dDense2 = BackThroughDropout(dRes, dDrop, s.Dropout2, pHidden);
            // Fresh activation gradients are written, not cleared and added to: the same values, fewer passes over
            // (N, intermediate) buffers. GELU's backward runs in place on the gradient of its output.
            MatMul.Backward(dInter, P(g, o.OutputWeight, h * ff), P(g, o.OutputBias, h), dDense2, s.Intermediate, P(p, o.OutputWeight, h * ff), n, ff, h,
                accumulateInput: false);
            Gelu.BackwardInPlace(dInter, s.IntermediatePre);
            MatMul.Backward(dLn1, P(g, o.IntermediateWeight, ff * h), P(g, o.IntermediateBias, ff), dInter, s.LayerNorm1, P(p, o.IntermediateWeight, ff * h), n, h, ff);

            // LayerNorm 1; its input was dropout(dense(context)) + the layer input.
            dRes.Clear();
            LayerNorm.Backward(dRes, P(g, o.AttentionLayerNormWeight, h), P(g, o.AttentionLayerNormBias, h), dLn1, s.Residual1,
                P(p, o.AttentionLayerNormWeight, h), s.Mean1, s.Rstd1, n, h);
            dRes.CopyTo(dx); // residual path into the layer input; dx is free again after LayerNorm 2's backward
            ReadOnlySpan<float> dDense1 = BackThroughDropout(dRes, dDrop, s.Dropout1, pHidden);
            MatMul.Backward(dContext, P(g, o.AttentionOutputWeight, h * h), P(g, o.AttentionOutputBias, h), dDense1, s.Context, P(p, o.AttentionOutputWeight, h * h), n, h, h,
                accumulateInput: false);
            Attention.Backward(dQkv, dContext, s.Qkv, s.AttentionProbs, s.AttentionDropout, bsz, t, h, heads, pAttention, accumulate: false);
            MatMul.Backward(dx, P(g, o.QkvWeight, 3 * h * h), P(g, o.QkvBias, 3 * h), dQkv, input, P(p, o.QkvWeight, 3 * h * h), n, h, 3 * h);
        }

        ReadOnlySpan<float> dEmbOut = BackThroughDropout(dx, dDrop, a.EmbeddingDropout, pHidden);
        dRes.Clear();
        LayerNorm.Backward(dRes, P(g, layout.EmbeddingLayerNormWeight, h), P(g, layout.EmbeddingLayerNormBias, h), dEmbOut, a.EmbeddingSum,
            P(p, layout.EmbeddingLayerNormWeight, h), a.EmbeddingMean, a.EmbeddingRstd, n, h);
        Embedding.Backward(P(g, layout.WordEmbeddings, c.VocabSize * h), P(g, layout.PositionEmbeddings, c.MaxPositionEmbeddings * h),
            P(g, layout.TokenTypeEmbeddings, c.TypeVocabSize * h), dRes, batch.InputIds, batch.TokenTypeIds, bsz, t, h);
    }

    // Without dropout the gradient passes through unchanged; with it, written into the scratch buffer.
    private static ReadOnlySpan<float> BackThroughDropout(Span<float> dOutput, Span<float> scratch, byte[] mask, float p)
    {
        if (p == 0) return dOutput;
        Dropout.ApplyMask(scratch, dOutput, mask, p, accumulate: false);
        return scratch;
    }

    internal static Span<float> P(float[] buffer, int offset, int length) => buffer.AsSpan(offset, length);
}
