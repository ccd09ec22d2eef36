using System.Numerics.Tensors;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Model.Heads;

/// <summary>
/// HF BertOnlyMLMHead on selected rows: LayerNorm(gelu(dense(h))) · word_embeddingsᵀ + bias (the decoder is tied to
/// the word embeddings). Rows are gathered before the decoder so only predicted positions pay for the vocabulary product.
/// Buffers grow to the largest row count seen and are reused.
/// </summary>
internal sealed class MaskedLmHead
{
    private readonly BertParameterLayout _layout;
    private readonly int _h, _v;
    private int[] _rowIndex = [];
    private int[] _targets = [];
    private float[] _input = [], _pre = [], _act = [], _normed = [], _mean = [], _rstd = [], _logits = [], _probs = [], _losses = [];
    private float[] _dLogits = [], _dNormed = [], _dAct = [], _dPre = [], _dInput = [];

    public MaskedLmHead(BertParameterLayout layout)
    {
        _layout = layout;
        _h = layout.Config.HiddenSize;
        _v = layout.Config.VocabSize;
    }

    /// <summary>Number of gathered rows of the last forward pass.</summary>
    public int Rows { get; private set; }

    /// <summary>(rows, vocab) logits of the last forward pass.</summary>
    public ReadOnlySpan<float> Logits => _logits.AsSpan(0, Rows * _v);

    /// <summary>(rows, vocab) softmax probabilities, after <see cref="Loss"/>.</summary>
    public ReadOnlySpan<float> Probabilities => _probs.AsSpan(0, Rows * _v);

    /// <summary>Gathers the rows in <paramref name="rowIndex"/> of <paramref name="lastHidden"/> and computes their vocabulary logits.</summary>
    public void Forward(float[] p, ReadOnlySpan<float> lastHidden, int[] rowIndex)
    {
        int h = _h, v = _v, m = rowIndex.Length;
        Ensure(m);
        _rowIndex = rowIndex;
        var input = _input.AsSpan(0, m * h);
        for (int r = 0; r < m; r++) lastHidden.Slice(rowIndex[r] * h, h).CopyTo(input.Slice(r * h, h));
        MatMul.Forward(_pre.AsSpan(0, m * h), input, W(p, _layout.MlmTransformWeight, h * h), W(p, _layout.MlmTransformBias, h), m, h, h);
        Gelu.Forward(_act.AsSpan(0, m * h), _pre.AsSpan(0, m * h));
        LayerNorm.Forward(_normed.AsSpan(0, m * h), _mean.AsSpan(0, m), _rstd.AsSpan(0, m), _act.AsSpan(0, m * h),
            W(p, _layout.MlmLayerNormWeight, h), W(p, _layout.MlmLayerNormBias, h), m, h, _layout.Config.LayerNormEps);
        MatMul.Forward(_logits.AsSpan(0, m * v), _normed.AsSpan(0, m * h), W(p, _layout.WordEmbeddings, v * h), W(p, _layout.MlmDecoderBias, v), m, h, v);
    }

    /// <summary>Mean cross-entropy against <paramref name="targets"/> (one per gathered row); counts correct argmax predictions.</summary>
    public float Loss(int[] targets, out int correct)
    {
        int v = _v, m = Rows;
        _targets = targets;
        float loss = CrossEntropy.Forward(_losses.AsSpan(0, m), _probs.AsSpan(0, m * v), Logits, targets, m, v, out _);
        correct = 0;
        for (int r = 0; r < m; r++)
            if (TensorPrimitives.IndexOfMax(_logits.AsSpan(r * v, v)) == targets[r]) correct++;
        return loss;
    }

    /// <summary>Adds the gradient of <paramref name="lossScale"/> × mean loss into the parameters and the gathered rows of <paramref name="dLastHidden"/>.</summary>
    public void Backward(float[] p, float[] g, float lossScale, Span<float> dLastHidden)
    {
        int h = _h, v = _v, m = Rows;
        if (m == 0) return;
        var dLogits = _dLogits.AsSpan(0, m * v); dLogits.Clear();
        CrossEntropy.Backward(dLogits, Probabilities, _targets, m, v, lossScale / m);
        var dNormed = _dNormed.AsSpan(0, m * h); dNormed.Clear();
        // Tied decoder: the word-embedding table receives the decoder's weight gradient.
        MatMul.Backward(dNormed, W(g, _layout.WordEmbeddings, v * h), W(g, _layout.MlmDecoderBias, v), dLogits, _normed.AsSpan(0, m * h),
            W(p, _layout.WordEmbeddings, v * h), m, h, v);
        var dAct = _dAct.AsSpan(0, m * h); dAct.Clear();
        LayerNorm.Backward(dAct, W(g, _layout.MlmLayerNormWeight, h), W(g, _layout.MlmLayerNormBias, h), dNormed, _act.AsSpan(0, m * h),
            W(p, _layout.MlmLayerNormWeight, h), _mean.AsSpan(0, m), _rstd.AsSpan(0, m), m, h);
        var dPre = _dPre.AsSpan(0, m * h); dPre.Clear();
        Gelu.Backward(dPre, dAct, _pre.AsSpan(0, m * h));
        var dInput = _dInput.AsSpan(0, m * h); dInput.Clear();
        MatMul.Backward(dInput, W(g, _layout.MlmTransformWeight, h * h), W(g, _layout.MlmTransformBias, h), dPre, _input.AsSpan(0, m * h),
            W(p, _layout.MlmTransformWeight, h * h), m, h, h);
        for (int r = 0; r < m; r++)
        {
            var dst = dLastHidden.Slice(_rowIndex[r] * h, h);
            TensorPrimitives.Add(dst, dInput.Slice(r * h, h), dst);
        }
    }

    private static Span<float> W(float[] buffer, int offset, int length) => buffer.AsSpan(offset, length);

    private void Ensure(int m)
    {
        Rows = m;
        if (_losses.Length >= m && _logits.Length > 0) return;
        int cap = Math.Max(m, 1), h = _h, v = _v;
        _input = new float[cap * h]; _pre = new float[cap * h]; _act = new float[cap * h]; _normed = new float[cap * h];
        _mean = new float[cap]; _rstd = new float[cap]; _logits = new float[cap * v]; _probs = new float[cap * v]; _losses = new float[cap];
        _dLogits = new float[cap * v]; _dNormed = new float[cap * h]; _dAct = new float[cap * h]; _dPre = new float[cap * h]; _dInput = new float[cap * h];
    }
}
