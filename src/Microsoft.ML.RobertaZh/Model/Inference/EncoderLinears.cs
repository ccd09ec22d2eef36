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
    /// Output channels [<paramref name="firstColumn"/>, firstColumn + <paramref name="columns"/>) of one linear layer
    /// over <paramref name="rows"/> rows, into those columns of <paramref name="output"/> (row stride: the layer's out
    /// features); the other columns are left untouched. Each value is the one <see cref="Forward"/> computes.
    /// <paramref name="firstColumn"/> is a multiple of 32.
    /// </summary>
    public abstract void ForwardColumns(int layer, LinearSlot slot, float[] output, float[] input, int rows, int firstColumn, int columns);

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
    /// The whole of layer <paramref name="layer"/> in one pass per sequence, if this implementation has such a pass:
    /// s.LayerNorm2 receives the layer's output for every sequence (sequence b: rows offsets[b] … offsets[b] +
    /// lengths[b] − 1 of <paramref name="input"/> and s.LayerNorm2; its keys' additive mask at additiveMask[b·seqLen …]
    /// when <paramref name="additiveMask"/> is not null); <paramref name="input"/> may be s.LayerNorm2. Returns false
    /// when it has not run: the caller then runs the query/key/value product, the attention and
    /// <see cref="ForwardTail"/> over all rows.
    /// </summary>
    public virtual bool TryForwardLayer(int layer, LayerActivations s, float[] input, int[] lengths, int[] offsets, float[]? additiveMask, int seqLen) => false;

    /// <summary>
    /// Whether a whole-layer-per-sequence pass (<see cref="TryForwardLayer"/>) pays for this batch: at least four
    /// sequences per core to share out (a single sentence keeps the row-parallel passes); a mean length of at least 64
    /// tokens (short sequences leave the per-sequence row blocks part empty, and every block reads all the layer's
    /// weights: on book_review dev, median 23 characters, packed, tiny int8 took 2.0 s with the pass and 1.5 s without);
    /// and one sequence's rows (Q, K, V, context) plus a tail block of <paramref name="tailRows"/> rows (dense output,
    /// LayerNorm1, intermediate) within the core's L2 (<see cref="CpuCaches"/>). Measured on a 1 MiB L2 (AMD Zen 4):
    /// tiny int8 forward +5–10% and base −10% (its 2.5 MiB spill); fp32 tiny +7%, mini +5%, and with the L2 rule lifted
    /// small +2% (within the noise), base −6%.
    /// </summary>
    protected bool PerSequencePays(int[] lengths, int tailRows)
    {
        int sequences = lengths.Length, h = Layout.Config.HiddenSize, ff = Layout.Config.IntermediateSize;
        if (sequences < 4 * KernelParallel.Threads) return false;
        if (lengths.Sum(length => (long)length) < 64L * sequences) return false;
        return sizeof(float) * ((long)lengths.Max() * 4 * h + (long)tailRows * (3 * h + ff)) <= CpuCaches.Current.L2;
    }

    /// <summary>
    /// Runs <paramref name="sequence"/>(b) for every sequence b, longest first: claimed one at a time by the calling
    /// thread and the pool's helpers (<see cref="KernelParallel.ForLargestFirst"/>), or in order on the calling thread
    /// when the batch is too small to share.
    /// </summary>
    protected void ForEachSequenceLongestFirst(int[] lengths, Action<int> sequence)
    {
        int h = Layout.Config.HiddenSize;
        var order = Enumerable.Range(0, lengths.Length).OrderByDescending(b => lengths[b]).ToArray();
        if (!KernelParallel.ShouldParallelize((long)lengths.Length * lengths.Max() * h * 3 * h, lengths.Length))
        {
            foreach (int b in order) sequence(b);
        }
        else
        {
            KernelParallel.ForLargestFirst(order.Length, i => sequence(order[i]));
        }
    }

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

/// <summary>
/// Single precision through <see cref="Gemm"/>, with the epilogue fused into the product where it can be; for batches
/// of many sequences of a small model, the whole layer per sequence (<see cref="FloatLinears.TryForwardLayer"/>).
/// </summary>
internal sealed partial class FloatLinears(BertParameterLayout layout, float[] parameters) : EncoderLinears(layout, parameters)
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

    public override void ForwardColumns(int layer, LinearSlot slot, float[] output, float[] input, int rows, int firstColumn, int columns)
    {
        var (w, b, outFeatures, inFeatures) = Shape(layer, slot);
        if (rows == 0 || columns == 0) return;
        // The weight rows of those channels are contiguous; C is the column block at stride outFeatures.
        Gemm.Multiply(false, true, rows, columns, inFeatures, input, inFeatures, Parameters.AsSpan(w + firstColumn * inFeatures, columns * inFeatures), inFeatures,
            output.AsSpan(firstColumn, (rows - 1) * outFeatures + columns), outFeatures, accumulate: false, Parameters.AsSpan(b + firstColumn, columns), parallel: true);
    }
}
