using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Heads;

/// <summary>HF BertPooler: tanh(dense(hidden state of the first token)), forward and backward.</summary>
internal static class BertPooler
{
    public static void Forward(BertParameterLayout layout, float[] p, BertActivations a, ReadOnlySpan<float> lastHidden)
    {
        int h = layout.Config.HiddenSize, t = a.SeqLen;
        for (int b = 0; b < a.Batch; b++)
            lastHidden.Slice(b * t * h, h).CopyTo(a.FirstTokens.AsSpan(b * h, h));
        ForwardFirstTokens(layout, p, a);
    }

    /// <summary>The pooled output from the first-token rows already in a.FirstTokens: tanh(dense(first tokens)).</summary>
    public static void ForwardFirstTokens(BertParameterLayout layout, float[] p, BertActivations a)
    {
        int h = layout.Config.HiddenSize;
        MatMul.Forward(a.Pooled, a.FirstTokens, BertEncoder.P(p, layout.PoolerWeight, h * h), BertEncoder.P(p, layout.PoolerBias, h), a.Batch, h, h);
        Tanh.Forward(a.Pooled, a.Pooled);
    }

    /// <summary>Adds the gradient of the pooled output, <paramref name="dPooled"/> (batch, hidden), into the first-token rows of <paramref name="dLastHidden"/>.</summary>
    public static void Backward(BertParameterLayout layout, float[] p, float[] g, BertActivations a, ReadOnlySpan<float> dPooled, Span<float> dLastHidden)
    {
        int h = layout.Config.HiddenSize, t = a.SeqLen, bsz = a.Batch;
        var dPre = a.HeadScratchA.AsSpan(0, bsz * h);
        dPre.Clear();
        Tanh.Backward(dPre, dPooled, a.Pooled);
        var dFirst = a.HeadScratchB.AsSpan(0, bsz * h);
        dFirst.Clear();
        MatMul.Backward(dFirst, BertEncoder.P(g, layout.PoolerWeight, h * h), BertEncoder.P(g, layout.PoolerBias, h), dPre, a.FirstTokens,
            BertEncoder.P(p, layout.PoolerWeight, h * h), bsz, h, h);
        for (int b = 0; b < bsz; b++)
        {
            var dst = dLastHidden.Slice(b * t * h, h);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, dFirst.Slice(b * h, h), dst);
        }
    }
}
