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
    private readonly QuantizedWeights[] _weights;

    public Int8Linears(BertParameterLayout layout, float[] parameters) : base(layout, parameters)
    {
        int layers = layout.Config.NumHiddenLayers;
        _weights = new QuantizedWeights[layers * 4];
        for (int l = 0; l < layers; l++)
        {
            foreach (LinearSlot slot in Enum.GetValues<LinearSlot>())
            {
                var (w, _, outFeatures, inFeatures) = Shape(l, slot);
                _weights[l * 4 + (int)slot] = new QuantizedWeights(parameters.AsSpan(w, outFeatures * inFeatures), outFeatures, inFeatures);
            }
        }
    }

    /// <summary>Native bytes of the packed weights.</summary>
    public long Bytes => _weights.Sum(w => w.Bytes);

    public override void Forward(int layer, LinearSlot slot, float[] output, float[] input, int rows, RowBlockEpilogue? epilogue, bool gelu = false)
    {
        var (_, b, outFeatures, _) = Shape(layer, slot);
        Int8Gemm.Forward(output, input, _weights[layer * 4 + (int)slot], Parameters.AsSpan(b, outFeatures), rows, epilogue, gelu: gelu);
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var w in _weights) w.Dispose();
        base.Dispose(disposing);
    }
}
