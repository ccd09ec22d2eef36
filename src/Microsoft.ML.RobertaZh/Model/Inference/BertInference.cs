using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Inference;

/// <summary>
/// The encoder's inference pass (no dropout, nothing saved for backward): the same kernel sequence as
/// <see cref="BertEncoder.Forward"/>, with the linear layers from <see cref="EncoderLinears"/> and fewer passes over the
/// activations — GELU runs in place in the intermediate product's epilogue, and the residual add + LayerNorm in the
/// epilogues of the attention-output and output products, per row block while the rows are still in cache
/// (<see cref="EncoderLinears.ForwardTail"/>; in int8 the row-wise rest of the layer runs per row block, and for
/// batches of many sequences the whole layer per sequence: <see cref="EncoderLinears.TryForwardLayer"/>). In
/// <see cref="FloatLinears"/> mode the result is bit-identical to <see cref="BertEncoder.Forward"/> in inference mode.
/// </summary>
internal static class BertInference
{
    /// <param name="layout">Parameter layout.</param>
    /// <param name="p">Parameters.</param>
    /// <param name="a">Activations sized for the batch (inference mode).</param>
    /// <param name="batch">The inputs.</param>
    /// <param name="linears">How the linear layers run.</param>
    /// <param name="packPadding">
    /// Skip padded positions: when every sequence's mask is a prefix (ones, then zeros) the valid tokens are packed
    /// into consecutive rows, every product and the attention (<see cref="Attention.ForwardPacked"/>) run on them only,
    /// and the output is scattered back with zero rows at the padded positions. Valid positions are the same as
    /// without packing up to rounding (the softmax sums over fewer — exactly zero — terms).
    /// </param>
    /// <param name="firstTokensOnly">
    /// Compute the last layer for each sequence's first token only (its keys and values still come from every token)
    /// and leave the results in a.FirstTokens, (batch, hidden): all a classifier reads. The values of those rows of the
    /// full pass; the last hidden state is then not computed.
    /// </param>
    public static void Forward(BertParameterLayout layout, float[] p, BertActivations a, BertBatch batch, EncoderLinears linears, bool packPadding = false,
        bool firstTokensOnly = false)
    {
        var c = layout.Config;
        int bsz = a.Batch, t = a.SeqLen, n = a.Tokens, h = c.HiddenSize, heads = c.NumAttentionHeads;
        float eps = c.LayerNormEps;

        int[]? lengths = packPadding ? PrefixLengths(batch) : null;
        int[] offsets = [];
        float[] x = a.EmbeddingOutput;
        var words = P(p, layout.WordEmbeddings, c.VocabSize * h);
        var positions = P(p, layout.PositionEmbeddings, c.MaxPositionEmbeddings * h);
        var types = P(p, layout.TokenTypeEmbeddings, c.TypeVocabSize * h);
        if (lengths is null)
        {
            // HF get_extended_attention_mask: (1 − mask) · finfo(float32).min, added to the attention scores.
            for (int i = 0; i < n; i++) a.AdditiveMask[i] = batch.AttentionMask[i] != 0 ? 0f : float.MinValue;
            Embedding.Forward(a.EmbeddingSum, batch.InputIds, batch.TokenTypeIds, words, positions, types, bsz, t, h);
        }
        else
        {
            // Only the valid tokens are embedded, each sequence's rows packed after the previous one's (positions count
            // from 0 in every sequence, as in the padded batch): row for row the values of the padded embedding.
            offsets = new int[bsz];
            for (int b = 1; b < bsz; b++) offsets[b] = offsets[b - 1] + lengths[b - 1];
            for (int b = 0; b < bsz; b++)
            {
                var typeIds = batch.TokenTypeIds.Length == 0 ? default : batch.TokenTypeIds.AsSpan(b * t, lengths[b]);
                Embedding.Forward(a.EmbeddingSum.AsSpan(offsets[b] * h, lengths[b] * h), batch.InputIds.AsSpan(b * t, lengths[b]), typeIds,
                    words, positions, types, 1, lengths[b], h);
            }
            n = offsets[bsz - 1] + lengths[bsz - 1];
        }
        LayerNorm.Forward(a.EmbeddingOutput.AsSpan(0, n * h), a.EmbeddingMean.AsSpan(0, n), a.EmbeddingRstd.AsSpan(0, n), a.EmbeddingSum.AsSpan(0, n * h),
            P(p, layout.EmbeddingLayerNormWeight, h), P(p, layout.EmbeddingLayerNormBias, h), n, h, eps);

        // Each sequence's rows and keys' mask, for passes that go sequence by sequence: packed, or t rows at b·t.
        int[] sequenceLengths = lengths ?? [.. Enumerable.Repeat(t, bsz)];
        int[] sequenceOffsets = lengths is null ? [.. Enumerable.Range(0, bsz).Select(b => b * t)] : offsets;
        float[]? sequenceMask = lengths is null ? a.AdditiveMask : null;
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var s = a.Layer(l);
            float[] input = x;
            if (firstTokensOnly && l == c.NumHiddenLayers - 1)
            {
                LastLayerFirstTokens(l, linears, a, s, input, n, sequenceLengths, sequenceOffsets, sequenceMask, t, h, heads);
                return;
            }
            if (!linears.TryForwardLayer(l, s, input, sequenceLengths, sequenceOffsets, sequenceMask, t))
            {
                linears.Forward(l, LinearSlot.Qkv, s.Qkv, input, n, epilogue: null);
                if (lengths is null) Attention.ForwardInference(s.Context, s.Qkv, a.AdditiveMask, bsz, t, h, heads);
                else Attention.ForwardPacked(s.Context, s.Qkv, lengths, offsets, h, heads);
                // LayerNorm1 = LayerNorm(dense(context) + input); the layer's output LayerNorm2 = LayerNorm(dense(gelu(
                // dense(LayerNorm1))) + LayerNorm1).
                linears.ForwardTail(l, s, input, n);
            }
            x = s.LayerNorm2;
        }
        if (lengths is not null) Unpack(x, lengths, offsets, t, h);
    }

    /// <summary>
    /// The last layer for the first token of each sequence: the query/key/value product over all n rows (every key and
    /// value is needed), the attention of the first queries only, then the rest of the layer on those rows gathered to
    /// the front of <paramref name="input"/> (row offsets[b] to row b, in increasing b: no row is overwritten before it
    /// is read), into a.FirstTokens. Every kernel works row by row, so these rows get the values of the full layer.
    /// </summary>
    private static void LastLayerFirstTokens(int l, EncoderLinears linears, BertActivations a, LayerActivations s, float[] input, int n,
        int[] lengths, int[] offsets, float[]? mask, int seqLen, int h, int heads)
    {
        int bsz = lengths.Length;
        linears.Forward(l, LinearSlot.Qkv, s.Qkv, input, n, epilogue: null);
        Attention.ForwardFirstQueries(s.Context.AsSpan(0, bsz * h), s.Qkv, lengths, offsets, mask, seqLen, h, heads);
        for (int b = 0; b < bsz; b++) input.AsSpan(offsets[b] * h, h).CopyTo(input.AsSpan(b * h, h));
        linears.ForwardTail(l, s, input, bsz);
        s.LayerNorm2.AsSpan(0, bsz * h).CopyTo(a.FirstTokens);
    }

    /// <summary>Valid lengths when every row's mask is 1…1 0…0 with at least one 1 and some row has padding; else null.</summary>
    private static int[]? PrefixLengths(BertBatch batch)
    {
        int t = batch.SeqLen;
        var lengths = new int[batch.Batch];
        bool padded = false;
        for (int b = 0; b < batch.Batch; b++)
        {
            var mask = batch.AttentionMask.AsSpan(b * t, t);
            int length = mask.IndexOf(0);
            if (length < 0) length = t;
            if (length == 0 || mask[length..].ContainsAnyExcept(0)) return null;
            padded |= length < t;
            lengths[b] = length;
        }
        return padded ? lengths : null;
    }

    /// <summary>Moves packed rows back to their padded positions, last sequence first (rows only move forward), zeroing padding.</summary>
    private static void Unpack(float[] x, int[] lengths, int[] offsets, int seqLen, int hidden)
    {
        for (int b = lengths.Length - 1; b >= 0; b--)
        {
            for (int i = lengths[b] - 1; i >= 0; i--)
                x.AsSpan((offsets[b] + i) * hidden, hidden).CopyTo(x.AsSpan((b * seqLen + i) * hidden, hidden));
            x.AsSpan((b * seqLen + lengths[b]) * hidden, (seqLen - lengths[b]) * hidden).Clear();
        }
    }

    private static Span<float> P(float[] buffer, int offset, int length) => buffer.AsSpan(offset, length);
}
