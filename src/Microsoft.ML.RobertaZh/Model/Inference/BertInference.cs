using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Inference;

/// <summary>
/// The encoder's inference pass (no dropout, nothing saved for backward): the same kernel sequence as
/// <see cref="BertEncoder.Forward"/>, with the linear layers from <see cref="EncoderLinears"/> and fewer passes over the
/// activations — GELU runs in place in the intermediate product's epilogue, and the residual add + LayerNorm in the
/// epilogues of the attention-output and output products, per row block while the rows are still in cache. In
/// <see cref="FloatLinears"/> mode the result is bit-identical to <see cref="BertEncoder.Forward"/> in inference mode.
/// </summary>
internal static class BertInference
{
    public static void Forward(BertParameterLayout layout, float[] p, BertActivations a, BertBatch batch, EncoderLinears linears)
    {
        var c = layout.Config;
        int bsz = a.Batch, t = a.SeqLen, n = a.Tokens, h = c.HiddenSize, ff = c.IntermediateSize, heads = c.NumAttentionHeads;
        float eps = c.LayerNormEps;

        // HF get_extended_attention_mask: (1 − mask) · finfo(float32).min, added to the attention scores.
        for (int i = 0; i < n; i++) a.AdditiveMask[i] = batch.AttentionMask[i] != 0 ? 0f : float.MinValue;
        Embedding.Forward(a.EmbeddingSum, batch.InputIds, batch.TokenTypeIds,
            P(p, layout.WordEmbeddings, c.VocabSize * h), P(p, layout.PositionEmbeddings, c.MaxPositionEmbeddings * h),
            P(p, layout.TokenTypeEmbeddings, c.TypeVocabSize * h), bsz, t, h);
        LayerNorm.Forward(a.EmbeddingOutput, a.EmbeddingMean, a.EmbeddingRstd, a.EmbeddingSum,
            P(p, layout.EmbeddingLayerNormWeight, h), P(p, layout.EmbeddingLayerNormBias, h), n, h, eps);

        float[] x = a.EmbeddingOutput;
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var o = layout.Layers[l];
            var s = a.Layer(l);
            float[] input = x;
            linears.Forward(l, LinearSlot.Qkv, s.Qkv, input, n, epilogue: null);
            Attention.Forward(s.Context, s.AttentionProbs, [], s.Qkv, a.AdditiveMask, bsz, t, h, heads, 0f, 0, 0);
            // LayerNorm1 = LayerNorm(dense(context) + input), the add and the norm per finished row block.
            linears.Forward(l, LinearSlot.AttentionOutput, s.Residual1, s.Context, n, (first, count) =>
                LayerNorm.AddForwardRows(s.LayerNorm1, s.Mean1, s.Rstd1, s.Residual1, input,
                    P(p, o.AttentionLayerNormWeight, h), P(p, o.AttentionLayerNormBias, h), first, count, h, eps));
            // Intermediate = gelu(dense(LayerNorm1)), in place.
            linears.Forward(l, LinearSlot.Intermediate, s.Intermediate, s.LayerNorm1, n, (first, count) =>
                Gelu.ApplySerial(s.Intermediate.AsSpan(first * ff, count * ff)));
            // LayerNorm2 = LayerNorm(dense(intermediate) + LayerNorm1): the layer's output.
            linears.Forward(l, LinearSlot.Output, s.Residual2, s.Intermediate, n, (first, count) =>
                LayerNorm.AddForwardRows(s.LayerNorm2, s.Mean2, s.Rstd2, s.Residual2, s.LayerNorm1,
                    P(p, o.OutputLayerNormWeight, h), P(p, o.OutputLayerNormBias, h), first, count, h, eps));
            x = s.LayerNorm2;
        }
    }

    private static Span<float> P(float[] buffer, int offset, int length) => buffer.AsSpan(offset, length);
}
