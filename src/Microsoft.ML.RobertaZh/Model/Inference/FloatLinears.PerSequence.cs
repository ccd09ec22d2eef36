using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Inference;

internal sealed partial class FloatLinears
{
    /// <summary>Rows per block of a sequence's tail (attention output → LayerNorm1 → intermediate → output → LayerNorm2).</summary>
    internal const int TailRows = 64;

    /// <summary>Per-thread scratch of one sequence: its query/key/value rows, then its context rows.</summary>
    [ThreadStatic] private static float[]? t_sequence;

    /// <summary>Per-thread scratch of one tail block: dense(context), LayerNorm1, intermediate, dense(intermediate).</summary>
    [ThreadStatic] private static float[]? t_tail;

    /// <summary>The current layer's four weights, packed once per pass and shared by the sequences (by <see cref="LinearSlot"/>).</summary>
    private readonly Gemm.PrepackedB[] _packed = [new(), new(), new(), new()];

    /// <summary>
    /// Per sequence (sequences in parallel, longest first): its Q, K, V rows into the thread's scratch, its attention
    /// into the same scratch, then the tail per block of <see cref="TailRows"/> rows into s.LayerNorm2 — the (rows,
    /// 3·hidden) product, the context, LayerNorm1 and the intermediate activations never leave the core's cache (s.Qkv,
    /// s.Context, s.Residual1, s.LayerNorm1, s.Intermediate and s.Residual2 are left untouched). The layer's weights
    /// are packed once for all sequences. Runs only when <see cref="EncoderLinears.PerSequencePays"/>: small models, whose
    /// products are short enough that the passes over memory and the waits between layer-wide products cost as much as
    /// the arithmetic. Every product runs the serial loop nest on the same blocks and micro-kernels, and the attention
    /// and LayerNorm work sequence by sequence and row by row, so the values are those of the layer pass by pass, bit
    /// for bit.
    /// </summary>
    public override bool TryForwardLayer(int layer, LayerActivations s, float[] input, int[] lengths, int[] offsets, float[]? additiveMask, int seqLen)
    {
        int h = Layout.Config.HiddenSize, heads = Layout.Config.NumAttentionHeads;
        if (!PerSequencePays(lengths, TailRows)) return false;

        foreach (LinearSlot slot in Enum.GetValues<LinearSlot>())
        {
            var (w, _, outFeatures, inFeatures) = Shape(layer, slot);
            _packed[(int)slot].Pack(true, outFeatures, inFeatures, Parameters.AsSpan(w, outFeatures * inFeatures), inFeatures);
        }
        var (_, qkvBias, _, _) = Shape(layer, LinearSlot.Qkv);
        float[] p = Parameters;
        void Sequence(int b)
        {
            int length = lengths[b], first = offsets[b];
            float[] scratch = t_sequence is { } t && t.Length >= length * 4 * h ? t : (t_sequence = new float[Math.Max(length, 128) * 4 * h]);
            var rowsQkv = scratch.AsSpan(0, length * 3 * h);
            var context = scratch.AsSpan(length * 3 * h, length * h);
            Gemm.MultiplyPrepacked(length, input.AsSpan(first * h, length * h), h, _packed[(int)LinearSlot.Qkv], rowsQkv, 3 * h, p.AsSpan(qkvBias, 3 * h));
            var mask = additiveMask is null ? default : additiveMask.AsSpan(b * seqLen, length);
            Attention.ForwardSequence(context, rowsQkv, length, mask, h, heads);
            for (int r = 0; r < length; r += TailRows)
            {
                int count = Math.Min(TailRows, length - r);
                TailBlock(layer, s, context.Slice(r * h, count * h), input, first + r, count);
            }
        }

        ForEachSequenceLongestFirst(lengths, Sequence);
        return true;
    }

    /// <summary>
    /// Rows first … first + count − 1 (count ≤ <see cref="TailRows"/>) of the tail, as <see cref="EncoderLinears.ForwardTail"/>
    /// computes them, in the thread's scratch: LayerNorm1 = LayerNorm(dense(context) + input), s.LayerNorm2 =
    /// LayerNorm(dense(gelu(dense(LayerNorm1))) + LayerNorm1). Each input row is read before the same row of
    /// s.LayerNorm2 is written, so they may alias.
    /// </summary>
    private void TailBlock(int layer, LayerActivations s, ReadOnlySpan<float> context, float[] input, int first, int count)
    {
        var o = Layout.Layers[layer];
        int h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize;
        float eps = Layout.Config.LayerNormEps;
        float[] p = Parameters;
        float[] scratch = t_tail is { } t && t.Length >= TailRows * (3 * h + ff) ? t : (t_tail = new float[TailRows * (3 * h + ff)]);
        var dense1 = scratch.AsSpan(0, count * h);
        var norm1 = scratch.AsSpan(TailRows * h, count * h);
        var inner = scratch.AsSpan(2 * TailRows * h, count * ff);
        var dense2 = scratch.AsSpan(2 * TailRows * h + TailRows * ff, count * h);
        Gemm.MultiplyPrepacked(count, context, h, _packed[(int)LinearSlot.AttentionOutput], dense1, h, p.AsSpan(o.AttentionOutputBias, h));
        LayerNorm.AddForwardRows(norm1, s.Mean1.AsSpan(first, count), s.Rstd1.AsSpan(first, count), dense1, input.AsSpan(first * h, count * h),
            p.AsSpan(o.AttentionLayerNormWeight, h), p.AsSpan(o.AttentionLayerNormBias, h), 0, count, h, eps);
        Gemm.MultiplyPrepacked(count, norm1, h, _packed[(int)LinearSlot.Intermediate], inner, ff, p.AsSpan(o.IntermediateBias, ff));
        Gelu.ApplySerial(inner);
        Gemm.MultiplyPrepacked(count, inner, ff, _packed[(int)LinearSlot.Output], dense2, h, p.AsSpan(o.OutputBias, h));
        LayerNorm.AddForwardRows(s.LayerNorm2.AsSpan(first * h, count * h), s.Mean2.AsSpan(first, count), s.Rstd2.AsSpan(first, count), dense2, norm1,
            p.AsSpan(o.OutputLayerNormWeight, h), p.AsSpan(o.OutputLayerNormBias, h), 0, count, h, eps);
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var packed in _packed) packed.Dispose();
        base.Dispose(disposing);
    }
}
