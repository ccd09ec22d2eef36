using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Inference;

/// <summary>The four linear layers of an encoder layer, in forward order.</summary>
internal enum LinearSlot
{
    /// <summary>Fused query/key/value projection, hidden → 3·hidden.</summary>
    Qkv,
    /// <summary>Attention output dense, hidden → hidden.</summary>
    AttentionOutput,
    /// <summary>Intermediate dense, hidden → intermediate.</summary>
    Intermediate,
    /// <summary>Output dense, intermediate → hidden.</summary>
    Output,
}

/// <summary>
/// How the encoder's linear layers run at inference: output (rows, out) = input (rows, in) · Wᵀ + b, then an optional
/// epilogue per finished row block. Implementations: <see cref="FloatLinears"/> and <see cref="Int8Linears"/>.
/// </summary>
internal abstract class EncoderLinears : IDisposable
{
    protected EncoderLinears(BertParameterLayout layout, float[] parameters)
    {
        Layout = layout;
        Parameters = parameters;
    }

    protected BertParameterLayout Layout { get; }

    protected float[] Parameters { get; }

    /// <summary>
    /// Runs one linear layer of layer <paramref name="layer"/> over <paramref name="rows"/> rows; with
    /// <paramref name="gelu"/> the output goes through GELU (the values of <see cref="Gelu.Forward"/> on it) before
    /// <paramref name="epilogue"/> sees a finished row block.
    /// </summary>
    public abstract void Forward(int layer, LinearSlot slot, float[] output, float[] input, int rows, RowBlockEpilogue? epilogue, bool gelu = false);

    /// <summary>
    /// The row-wise rest of layer <paramref name="layer"/> after its attention, over <paramref name="rows"/> rows:
    /// LayerNorm1 = LayerNorm(dense(context) + input), then the layer's output s.LayerNorm2 = LayerNorm(dense(gelu(
    /// dense(LayerNorm1))) + LayerNorm1). This composition runs the three linear layers one after another over all
    /// rows, with GELU and the residual adds + LayerNorms in their epilogues; <see cref="Int8Linears"/> runs the whole
    /// chain per row block instead. Only s.LayerNorm2 is guaranteed afterwards; <paramref name="input"/> may be
    /// s.LayerNorm2 itself (each row is read before it is written).
    /// </summary>
    public virtual void ForwardTail(int layer, LayerActivations s, float[] input, int rows)
    {
        var o = Layout.Layers[layer];
        int h = Layout.Config.HiddenSize;
        float eps = Layout.Config.LayerNormEps;
        var p = Parameters;
        Forward(layer, LinearSlot.AttentionOutput, s.Residual1, s.Context, rows, (first, count) =>
            LayerNorm.AddForwardRows(s.LayerNorm1, s.Mean1, s.Rstd1, s.Residual1, input,
                p.AsSpan(o.AttentionLayerNormWeight, h), p.AsSpan(o.AttentionLayerNormBias, h), first, count, h, eps));
        Forward(layer, LinearSlot.Intermediate, s.Intermediate, s.LayerNorm1, rows, epilogue: null, gelu: true);
        Forward(layer, LinearSlot.Output, s.Residual2, s.Intermediate, rows, (first, count) =>
            LayerNorm.AddForwardRows(s.LayerNorm2, s.Mean2, s.Rstd2, s.Residual2, s.LayerNorm1,
                p.AsSpan(o.OutputLayerNormWeight, h), p.AsSpan(o.OutputLayerNormBias, h), first, count, h, eps));
    }

    /// <summary>
    /// Layer <paramref name="layer"/>'s query/key/value product and attention in one pass per sequence, if this
    /// implementation has such a pass: s.Context receives the attention output of every sequence (sequence b: rows
    /// offsets[b] … offsets[b] + lengths[b] − 1 of <paramref name="input"/> and s.Context, its keys' additive mask at
    /// additiveMask[b·seqLen …] when <paramref name="additiveMask"/> is not null). Returns false when it has not run
    /// (the caller then runs <see cref="Forward"/> for <see cref="LinearSlot.Qkv"/> and the attention over all rows).
    /// </summary>
    public virtual bool TryForwardQkvAttention(int layer, LayerActivations s, float[] input, int[] lengths, int[] offsets, float[]? additiveMask, int seqLen) => false;

    /// <summary>
    /// Whether what this object derived from the parameters when it was built no longer matches them (weights replaced
    /// wholesale, as when a checkpoint or the best epoch is copied in); then the model builds a new one. Checked before
    /// every pass, so it must be cheap. Nothing is derived by default.
    /// </summary>
    public virtual bool IsStale() => false;

    /// <summary>(weight offset, bias offset, out features, in features) of a slot.</summary>
    protected (int Weight, int Bias, int Out, int In) Shape(int layer, LinearSlot slot)
    {
        var o = Layout.Layers[layer];
        int h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize;
        return slot switch
        {
            LinearSlot.Qkv => (o.QkvWeight, o.QkvBias, 3 * h, h),
            LinearSlot.AttentionOutput => (o.AttentionOutputWeight, o.AttentionOutputBias, h, h),
            LinearSlot.Intermediate => (o.IntermediateWeight, o.IntermediateBias, ff, h),
            _ => (o.OutputWeight, o.OutputBias, h, ff),
        };
    }

    /// <summary>Releases native buffers, if any.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases native buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>Single precision through <see cref="Gemm"/>, with the epilogue fused into the product where it can be.</summary>
internal sealed class FloatLinears(BertParameterLayout layout, float[] parameters) : EncoderLinears(layout, parameters)
{
    public override void Forward(int layer, LinearSlot slot, float[] output, float[] input, int rows, RowBlockEpilogue? epilogue, bool gelu = false)
    {
        var (w, b, outFeatures, inFeatures) = Shape(layer, slot);
        if (gelu)
        {
            // GELU in place on each finished row block, while it is in cache.
            var next = epilogue;
            epilogue = (first, count) =>
            {
                Gelu.ApplySerial(output.AsSpan(first * outFeatures, count * outFeatures));
                next?.Invoke(first, count);
            };
        }
        Gemm.Multiply(false, true, rows, outFeatures, inFeatures, input, inFeatures, Parameters.AsSpan(w, outFeatures * inFeatures), inFeatures,
            output.AsSpan(0, rows * outFeatures), outFeatures, accumulate: false, Parameters.AsSpan(b, outFeatures), parallel: true,
            GemmKernel.Auto, epilogue);
    }
}

/// <summary>Dynamic int8 through <see cref="Int8Gemm"/>; the weights are quantized once, when this object is built.</summary>
internal sealed class Int8Linears : EncoderLinears
{
    /// <summary>Entries of each weight matrix whose values <see cref="IsStale"/> compares.</summary>
    private const int SamplesPerWeight = 64;

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
        _sampleValues = Samples();
    }

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

    private float[] Samples()
    {
        var values = new float[_samplePositions.Length];
        for (int i = 0; i < values.Length; i++) values[i] = Parameters[_samplePositions[i]];
        return values;
    }

    /// <summary>Native bytes of the packed weights.</summary>
    public long Bytes => _weights.Sum(w => w.Bytes);

    public override void Forward(int layer, LinearSlot slot, float[] output, float[] input, int rows, RowBlockEpilogue? epilogue, bool gelu = false)
    {
        var (_, b, outFeatures, _) = Shape(layer, slot);
        Int8Gemm.Forward(output, input, _weights[layer * 4 + (int)slot], Parameters.AsSpan(b, outFeatures), rows, epilogue, gelu: gelu);
    }

    /// <summary>Per-thread row-block scratch of <see cref="ForwardTail"/>: dense(context), LayerNorm1, intermediate, dense(intermediate).</summary>
    [ThreadStatic] private static float[]? t_tail;

    /// <summary>
    /// The whole chain per block of <see cref="Int8Gemm.RowBlock"/> rows (blocks in parallel), so the intermediate
    /// activations and LayerNorm1 stay in the thread's cache-sized scratch and never go to memory: on small models the
    /// products are short and these passes over memory cost as much as the arithmetic. The values are those of the
    /// composition (every kernel works row by row), bit for bit; s.Residual1, s.LayerNorm1, s.Intermediate and
    /// s.Residual2 are left untouched.
    /// </summary>
    public override void ForwardTail(int layer, LayerActivations s, float[] input, int rows)
    {
        var o = Layout.Layers[layer];
        int h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize, block = Int8Gemm.RowBlock;
        float eps = Layout.Config.LayerNormEps;
        float[] p = Parameters;
        var attentionOutput = _weights[layer * 4 + (int)LinearSlot.AttentionOutput];
        var intermediate = _weights[layer * 4 + (int)LinearSlot.Intermediate];
        var output = _weights[layer * 4 + (int)LinearSlot.Output];
        void Block(int index)
        {
            int first = index * block, count = Math.Min(block, rows - first);
            float[] scratch = t_tail is { } t && t.Length >= block * (3 * h + ff) ? t : (t_tail = new float[block * (3 * h + ff)]);
            var dense1 = scratch.AsSpan(0, count * h);
            var norm1 = scratch.AsSpan(block * h, count * h);
            var inner = scratch.AsSpan(2 * block * h, count * ff);
            var dense2 = scratch.AsSpan(2 * block * h + block * ff, count * h);
            Int8Gemm.ForwardBlock(dense1, s.Context.AsSpan(first * h, count * h), attentionOutput, p.AsSpan(o.AttentionOutputBias, h), count);
            LayerNorm.AddForwardRows(norm1, s.Mean1.AsSpan(first, count), s.Rstd1.AsSpan(first, count), dense1, input.AsSpan(first * h, count * h),
                p.AsSpan(o.AttentionLayerNormWeight, h), p.AsSpan(o.AttentionLayerNormBias, h), 0, count, h, eps);
            Int8Gemm.ForwardBlock(inner, norm1, intermediate, p.AsSpan(o.IntermediateBias, ff), count, gelu: true);
            Int8Gemm.ForwardBlock(dense2, inner, output, p.AsSpan(o.OutputBias, h), count);
            LayerNorm.AddForwardRows(s.LayerNorm2.AsSpan(first * h, count * h), s.Mean2.AsSpan(first, count), s.Rstd2.AsSpan(first, count), dense2, norm1,
                p.AsSpan(o.OutputLayerNormWeight, h), p.AsSpan(o.OutputLayerNormBias, h), 0, count, h, eps);
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

    /// <summary>Per-thread scratch of <see cref="TryForwardQkvAttention"/>: one sequence's query/key/value rows.</summary>
    [ThreadStatic] private static float[]? t_qkv;

    /// <summary>
    /// Per sequence (sequences in parallel, longest first): its Q, K, V rows into the thread's scratch, product block by
    /// block, then its attention while they are in cache — the (rows, 3·hidden) product never goes to memory (s.Qkv is
    /// left untouched). The same bits as the product over all rows followed by the attention (every kernel works row by
    /// row or sequence by sequence). Runs only when there are at least four sequences per core to share out; a
    /// single sentence keeps the row-parallel product.
    /// </summary>
    public override bool TryForwardQkvAttention(int layer, LayerActivations s, float[] input, int[] lengths, int[] offsets, float[]? additiveMask, int seqLen)
    {
        int sequences = lengths.Length, h = Layout.Config.HiddenSize, heads = Layout.Config.NumAttentionHeads, block = Int8Gemm.RowBlock;
        int threads = KernelParallel.MaxDegreeOfParallelism > 0 ? Math.Min(KernelParallel.MaxDegreeOfParallelism, Environment.ProcessorCount) : Environment.ProcessorCount;
        if (sequences < 4 * threads) return false;
        var weights = _weights[layer * 4 + (int)LinearSlot.Qkv];
        var (_, biasOffset, _, _) = Shape(layer, LinearSlot.Qkv);
        float[] p = Parameters;
        void Sequence(int b)
        {
            int length = lengths[b], first = offsets[b];
            float[] scratch = t_qkv is { } t && t.Length >= length * 3 * h ? t : (t_qkv = new float[Math.Max(length, 128) * 3 * h]);
            for (int r = 0; r < length; r += block)
            {
                int count = Math.Min(block, length - r);
                Int8Gemm.ForwardBlock(scratch.AsSpan(r * 3 * h, count * 3 * h), input.AsSpan((first + r) * h, count * h), weights,
                    p.AsSpan(biasOffset, 3 * h), count);
            }
            var mask = additiveMask is null ? default : additiveMask.AsSpan(b * seqLen, length);
            Attention.ForwardSequence(s.Context.AsSpan(first * h, length * h), scratch.AsSpan(0, length * 3 * h), length, mask, h, heads);
        }

        var order = Enumerable.Range(0, sequences).OrderByDescending(b => lengths[b]).ToArray();
        if (!KernelParallel.ShouldParallelize((long)sequences * lengths.Max() * h * 3 * h, sequences))
        {
            foreach (int b in order) Sequence(b);
        }
        else
        {
            KernelParallel.For(sequences, i => Sequence(order[i]));
        }
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var w in _weights) w.Dispose();
        base.Dispose(disposing);
    }
}
