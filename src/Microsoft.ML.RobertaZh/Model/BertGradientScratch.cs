namespace Microsoft.ML.RobertaZh.Model;

/// <summary>Activation gradients of the backward pass, reused layer after layer. N = batch·seqLen.</summary>
internal sealed class BertGradientScratch
{
    public float[] DHidden { get; }      // (N, hidden): gradient reaching the current layer's output
    public float[] DResidual { get; }    // (N, hidden)
    public float[] DLayerNorm1 { get; }  // (N, hidden)
    public float[] DDropped { get; }     // (N, hidden): gradient before a dropout
    public float[] DContext { get; }     // (N, hidden)
    public float[] DQkv { get; }         // (N, 3·hidden)
    public float[] DIntermediate { get; }    // (N, intermediate): w.r.t. the GELU output, then (in place) its input

    public BertGradientScratch(BertConfig config, int tokens)
    {
        int h = config.HiddenSize, ff = config.IntermediateSize;
        DHidden = new float[tokens * h];
        DResidual = new float[tokens * h];
        DLayerNorm1 = new float[tokens * h];
        DDropped = new float[tokens * h];
        DContext = new float[tokens * h];
        DQkv = new float[tokens * 3 * h];
        DIntermediate = new float[tokens * ff];
    }
}
