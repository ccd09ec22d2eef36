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

        int[]? lengths = packPadding ? PrefixLengths(batch) : null;
        int[] offsets;
        float[] x = a.EmbeddingOutput;
        if (lengths is null)
        {
            // HF get_extended_attention_mask: (1 − mask) · finfo(float32).min, added to the attention scores.
            for (int i = 0; i < n; i++) a.AdditiveMask[i] = batch.AttentionMask[i] != 0 ? 0f : float.MinValue;
            offsets = [.. Enumerable.Range(0, bsz).Select(b => b * t)];
        }
        else
        {
            // Only the valid tokens are embedded, each sequence's rows packed after the previous one's.
            offsets = new int[bsz];
            for (int b = 1; b < bsz; b++) offsets[b] = offsets[b - 1] + lengths[b - 1];
            n = offsets[bsz - 1] + lengths[bsz - 1];
        }
        // Each sequence's rows: t rows at b·t, or its valid rows packed.
        int[] sequenceLengths = lengths ?? [.. Enumerable.Repeat(t, bsz)];
        Embed(layout, p, a, batch, sequenceLengths, offsets);

        // The keys' mask, for passes that go sequence by sequence: none when packed.
        float[]? sequenceMask = lengths is null ? a.AdditiveMask : null;
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            var s = a.Layer(l);
            float[] input = x;
            if (firstTokensOnly && l == c.NumHiddenLayers - 1)
            {
                LastLayerFirstTokens(l, linears, a, s, input, n, sequenceLengths, offsets, sequenceMask, t, h, heads);
                return;
            }
            if (!linears.TryForwardLayer(l, s, input, sequenceLengths, offsets, sequenceMask, t))
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
    /// Embedding and its LayerNorm for each sequence's first lengths[b] tokens into rows offsets[b] … of a.EmbeddingSum /
    /// a.EmbeddingOutput, sequence by sequence (in parallel) while its rows are in cache: word + token type, then +
    /// position and LayerNorm (<see cref="LayerNorm.AddForwardRows"/>) — the operations of <see cref="Embedding.Forward"/>
    /// followed by <see cref="LayerNorm.Forward"/>, so the same bits. Ids were validated with the batch.
    /// </summary>
    private static void Embed(BertParameterLayout layout, float[] p, BertActivations a, BertBatch batch, int[] lengths, int[] offsets)
    {
        var c = layout.Config;
        int h = c.HiddenSize, t = batch.SeqLen;
        float eps = c.LayerNormEps;
        void Sequence(int b)
        {
            int length = lengths[b], first = offsets[b];
            var sum = a.EmbeddingSum.AsSpan(first * h, length * h);
            for (int i = 0; i < length; i++)
            {
                int token = b * t + i;
                System.Numerics.Tensors.TensorPrimitives.Add(p.AsSpan(layout.WordEmbeddings + batch.InputIds[token] * h, h),
                    p.AsSpan(layout.TokenTypeEmbeddings + batch.TokenTypeIds[token] * h, h), sum.Slice(i * h, h));
            }
            LayerNorm.AddForwardRows(a.EmbeddingOutput.AsSpan(first * h, length * h), a.EmbeddingMean.AsSpan(first, length), a.EmbeddingRstd.AsSpan(first, length),
                sum, p.AsSpan(layout.PositionEmbeddings, length * h), P(p, layout.EmbeddingLayerNormWeight, h), P(p, layout.EmbeddingLayerNormBias, h), 0, length, h, eps);
        }

        long rows = lengths.Sum(length => (long)length);
        if (!KernelParallel.ShouldParallelize(rows * h * 4, lengths.Length))
        {
            for (int b = 0; b < lengths.Length; b++) Sequence(b);
        }
        else
        {
            KernelParallel.For(lengths.Length, Sequence);
        }
    }

    /// <summary>
    /// The last layer for the first token of each sequence: keys and values for all n rows (every one is needed), the
    /// first rows gathered to the front of <paramref name="input"/> (row offsets[b] to row b, in increasing b: no row is
    /// overwritten before it is read), their queries, the attention of those queries only, then the rest of the layer
    /// on the gathered rows, into a.FirstTokens. Every product works row by row and channel by channel, so these rows
    /// get the values of the full layer.
    /// </summary>
    private static void LastLayerFirstTokens(int l, EncoderLinears linears, BertActivations a, LayerActivations s, float[] input, int n,
        int[] lengths, int[] offsets, float[]? mask, int seqLen, int h, int heads)
    {
        int bsz = lengths.Length;
        // Channel blocks start at multiples of 32 (the int8 tiles); other widths compute every query.
        bool split = h % 32 == 0;
        if (split) linears.ForwardColumns(l, LinearSlot.Qkv, s.Qkv, input, n, h, 2 * h);
        else linears.Forward(l, LinearSlot.Qkv, s.Qkv, input, n, epilogue: null);
        for (int b = 0; b < bsz; b++) input.AsSpan(offsets[b] * h, h).CopyTo(input.AsSpan(b * h, h));
        if (split)
        {
            // The gathered rows' queries land in rows 0 … bsz − 1 of s.Residual2 (free until the tail writes it), then
            // move to each sequence's first row.
            float[] queries = s.Residual2.Length >= bsz * 3 * h ? s.Residual2 : new float[bsz * 3 * h];
            linears.ForwardColumns(l, LinearSlot.Qkv, queries, input, bsz, 0, h);
            for (int b = 0; b < bsz; b++) queries.AsSpan(b * 3 * h, h).CopyTo(s.Qkv.AsSpan(offsets[b] * 3 * h, h));
        }
        Attention.ForwardFirstQueries(s.Context.AsSpan(0, bsz * h), s.Qkv, lengths, offsets, mask, seqLen, h, heads);
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
