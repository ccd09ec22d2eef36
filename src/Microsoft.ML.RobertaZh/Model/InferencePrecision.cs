namespace Microsoft.ML.RobertaZh.Model;

/// <summary>Arithmetic of the encoder's matrix products in inference passes (<see cref="BertModel.Forward"/>, <see cref="BertModel.Evaluate"/>).</summary>
public enum InferencePrecision
{
    /// <summary>Single precision throughout: the reference, matching PyTorch within 1e-4 relative.</summary>
    FullPrecision,

    /// <summary>
    /// Dynamic int8 quantization for serving: the four linear layers of every encoder layer run on 8-bit activations
    /// (scaled per row on the fly) and 7-bit weights (scaled per output channel, quantized once and cached), with
    /// int32 accumulation; embeddings, attention, LayerNorm, GELU, pooler and heads stay in float. Faster, at a small
    /// accuracy cost (see eval/README.md). Training passes always run in <see cref="FullPrecision"/>.
    /// </summary>
    DynamicInt8,
}
