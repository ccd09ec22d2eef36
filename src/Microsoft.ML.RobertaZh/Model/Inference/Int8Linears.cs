using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Inference;

/// <summary>
/// Dynamic int8 through <see cref="Int8Gemm"/>; the weights are quantized once, when this object is built. Besides
/// the layer-by-layer products it runs whole stretches of a layer while their rows are in cache: the row-wise rest of a
/// layer per row block (<see cref="ForwardTail"/>) and, for batches of many sequences, the whole layer per sequence
/// (<see cref="TryForwardLayer"/>). Every kernel works row by row (the products, LayerNorm) or sequence by sequence
/// (attention), so these give the bits of the layer-by-layer composition.
/// </summary>
internal sealed class Int8Linears : EncoderLinears
{
    /// <summary>Entries of each weight matrix whose values <see cref="IsStale"/> compares.</summary>
    private const int SamplesPerWeight = 64;

    /// <summary>Per-thread scratch of one row block of the tail: dense(context), LayerNorm1, intermediate, dense(intermediate).</summary>
    [ThreadStatic] private static float[]? t_tail;

    /// <summary>Per-thread scratch of one sequence: its query/key/value rows, then its context rows.</summary>
    [ThreadStatic] private static float[]? t_sequence;

    private readonly QuantizedWeights[] _weights;
    private readonly int[] _samplePositions;
    private readonly float[] _sampleValues;

    public Int8Linears(BertParameterLayout layout, float[] parameters) : base(layout, parameters)
    {
        int layers = layout.Config.NumHiddenLayers;
        _weights = new QuantizedWeights[layers * 4];
        var positions = new List<int>();
        for (int l = 0; l < layers; l++)
        {
            foreach (LinearSlot slot in Enum.GetValues<LinearSlot>())
            {
                var (w, _, outFeatures, inFeatures) = Shape(l, slot);
                int length = outFeatures * inFeatures;
                _weights[l * 4 + (int)slot] = new QuantizedWeights(parameters.AsSpan(w, length), outFeatures, inFeatures);
                for (int i = 0; i < SamplesPerWeight; i++) positions.Add(w + (int)((long)i * length / SamplesPerWeight) + (i * 7919 % Math.Max(1, length / SamplesPerWeight)));
            }
        }
        _samplePositions = [.. positions];
        _sampleValues = new float[_samplePositions.Length];
        for (int i = 0; i < _sampleValues.Length; i++) _sampleValues[i] = parameters[_samplePositions[i]];
    }

    /// <summary>Native bytes of the packed weights.</summary>
    public long Bytes => _weights.Sum(w => w.Bytes);

    /// <summary>
    /// The quantized weights were built from other values: 64 entries of every encoder weight matrix (spread over it,
    /// a few thousand loads for BERT-base) differ from what they were. Biases and LayerNorm parameters are read live.
    /// </summary>
    public override bool IsStale()
    {
        for (int i = 0; i < _samplePositions.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(Parameters[_samplePositions[i]]) != BitConverter.SingleToInt32Bits(_sampleValues[i])) return true;
        }
        return false;
    }

    public override void Forward(int layer, LinearSlot slot, float[] output, float[] input, int rows, RowBlockEpilogue? epilogue, bool gelu = false)
    {
        var (_, b, outFeatures, _) = Shape(layer, slot);
        Int8Gemm.Forward(output, input, Weights(layer, slot), Parameters.AsSpan(b, outFeatures), rows, epilogue, gelu: gelu);
    }

    public override void ForwardColumns(int layer, LinearSlot slot, float[] output, float[] input, int rows, int firstColumn, int columns)
    {
        var (_, b, outFeatures, _) = Shape(layer, slot);
        Int8Gemm.Forward(output, input, Weights(layer, slot), Parameters.AsSpan(b, outFeatures), rows, firstColumn: firstColumn, columns: columns);
    }

    /// <summary>
    /// The whole chain per block of <see cref="Int8Gemm.RowBlock"/> rows (blocks in parallel), so the intermediate
    /// activations and LayerNorm1 stay in the thread's cache-sized scratch and never go to memory: on small models the
    /// products are short and these passes over memory cost as much as the arithmetic. s.Residual1, s.LayerNorm1,
    /// s.Intermediate and s.Residual2 are left untouched.
    /// </summary>
    public override void ForwardTail(int layer, LayerActivations s, float[] input, int rows)
    {
        int h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize, block = Int8Gemm.RowBlock;
        void Block(int index)
        {
            int first = index * block, count = Math.Min(block, rows - first);
            TailBlock(layer, s, s.Context.AsSpan(first * h, count * h), input, first, count);
        }

        int blocks = (rows + block - 1) / block;
        if (!KernelParallel.ShouldParallelize((long)rows * h * ff / 16, blocks))
        {
            for (int i = 0; i < blocks; i++) Block(i);
        }
        else
        {
            KernelParallel.For(blocks, Block);
        }
    }

    /// <summary>
    /// Per sequence (sequences in parallel, longest first): its Q, K, V rows into the thread's scratch, block by block;
    /// its attention into the same scratch; then the tail per row block into s.LayerNorm2 — the (rows, 3·hidden)
    /// product and the context never go to memory (s.Qkv and s.Context are left untouched). Runs only when
    /// <see cref="EncoderLinears.PerSequencePays"/>: small models, where the passes over memory cost as much as the
    /// arithmetic.
    /// </summary>
    public override bool TryForwardLayer(int layer, LayerActivations s, float[] input, int[] lengths, int[] offsets, float[]? additiveMask, int seqLen)
    {
        int h = Layout.Config.HiddenSize, heads = Layout.Config.NumAttentionHeads, block = Int8Gemm.RowBlock;
        if (!PerSequencePays(lengths, block)) return false;
        var qkv = Weights(layer, LinearSlot.Qkv);
        var (_, qkvBias, _, _) = Shape(layer, LinearSlot.Qkv);
        float[] p = Parameters;
        void Sequence(int b)
        {
            int length = lengths[b], first = offsets[b];
            int size = Math.Max(length, 128) * 4 * h;
            float[] scratch = t_sequence is { } t && t.Length >= length * 4 * h ? t : (t_sequence = new float[size]);
            var rowsQkv = scratch.AsSpan(0, length * 3 * h);
            var context = scratch.AsSpan(length * 3 * h, length * h);
            for (int r = 0; r < length; r += block)
            {
                int count = Math.Min(block, length - r);
                Int8Gemm.ForwardBlock(rowsQkv.Slice(r * 3 * h, count * 3 * h), input.AsSpan((first + r) * h, count * h), qkv, p.AsSpan(qkvBias, 3 * h), count);
            }
            var mask = additiveMask is null ? default : additiveMask.AsSpan(b * seqLen, length);
            Attention.ForwardSequence(context, rowsQkv, length, mask, h, heads);
            for (int r = 0; r < length; r += block)
            {
                int count = Math.Min(block, length - r);
                TailBlock(layer, s, context.Slice(r * h, count * h), input, first + r, count);
            }
        }

        ForEachSequenceLongestFirst(lengths, Sequence);
        return true;
    }

    /// <summary>
    /// Rows first … first + count − 1 (count ≤ <see cref="Int8Gemm.RowBlock"/>) of the tail: LayerNorm1 =
    /// LayerNorm(dense(context) + input), s.LayerNorm2 = LayerNorm(dense(gelu(dense(LayerNorm1))) + LayerNorm1), in the
    /// thread's scratch. Each input row is read before the same row of s.LayerNorm2 is written, so they may alias.
    /// </summary>
    private void TailBlock(int layer, LayerActivations s, ReadOnlySpan<float> context, float[] input, int first, int count)
    {
        var o = Layout.Layers[layer];
        int h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize, block = Int8Gemm.RowBlock;
        float eps = Layout.Config.LayerNormEps;
        float[] p = Parameters;
        float[] scratch = t_tail is { } t && t.Length >= block * (3 * h + ff) ? t : (t_tail = new float[block * (3 * h + ff)]);
        var dense1 = scratch.AsSpan(0, count * h);
        var norm1 = scratch.AsSpan(block * h, count * h);
        var inner = scratch.AsSpan(2 * block * h, count * ff);
        var dense2 = scratch.AsSpan(2 * block * h + block * ff, count * h);
        Int8Gemm.ForwardBlock(dense1, context, Weights(layer, LinearSlot.AttentionOutput), p.AsSpan(o.AttentionOutputBias, h), count);
        LayerNorm.AddForwardRows(norm1, s.Mean1.AsSpan(first, count), s.Rstd1.AsSpan(first, count), dense1, input.AsSpan(first * h, count * h),
            p.AsSpan(o.AttentionLayerNormWeight, h), p.AsSpan(o.AttentionLayerNormBias, h), 0, count, h, eps);
        Int8Gemm.ForwardBlock(inner, norm1, Weights(layer, LinearSlot.Intermediate), p.AsSpan(o.IntermediateBias, ff), count, gelu: true);
        Int8Gemm.ForwardBlock(dense2, inner, Weights(layer, LinearSlot.Output), p.AsSpan(o.OutputBias, h), count);
        LayerNorm.AddForwardRows(s.LayerNorm2.AsSpan(first * h, count * h), s.Mean2.AsSpan(first, count), s.Rstd2.AsSpan(first, count), dense2, norm1,
            p.AsSpan(o.OutputLayerNormWeight, h), p.AsSpan(o.OutputLayerNormBias, h), 0, count, h, eps);
    }

    private QuantizedWeights Weights(int layer, LinearSlot slot) => _weights[layer * 4 + (int)slot];

    protected override void Dispose(bool disposing)
    {
        foreach (var w in _weights) w.Dispose();
        base.Dispose(disposing);
    }
}
