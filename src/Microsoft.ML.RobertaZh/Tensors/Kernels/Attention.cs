namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class Attention
{
    public static void Forward(Span<float> output, Span<float> probs, Span<byte> dropoutMask, ReadOnlySpan<float> qkv, ReadOnlySpan<float> additiveMask, int batch, int seqLen, int hidden, int heads, float dropoutProbability, ulong seed, ulong stream)
    {
        int d = hidden / heads; float scale = 1f / MathF.Sqrt(d);
        var row = new float[seqLen];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                var pr = probs.Slice(((b * heads + h) * seqLen) * seqLen, seqLen * seqLen);
                for (int i = 0; i < seqLen; i++)
                {
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < seqLen; j++)
                    {
                        float s = 0; for (int k = 0; k < d; k++) s += qkv[(b * seqLen + i) * 3 * hidden + h * d + k] * qkv[(b * seqLen + j) * 3 * hidden + hidden + h * d + k];
                        row[j] = s * scale + additiveMask[b * seqLen + j]; max = Math.Max(max, row[j]);
                    }
                    float sum = 0; for (int j = 0; j < seqLen; j++) { row[j] = MathF.Exp(row[j] - max); sum += row[j]; }
                    for (int j = 0; j < seqLen; j++) pr[i * seqLen + j] = row[j] / sum;
                }
            }
        if (dropoutProbability > 0) { var dropped = new float[probs.Length]; Dropout.Forward(dropped, dropoutMask, probs, dropoutProbability, seed, stream); Context(output, dropped, qkv, batch, seqLen, hidden, heads); }
        else Context(output, probs, qkv, batch, seqLen, hidden, heads);
    }
    private static void Context(Span<float> output, ReadOnlySpan<float> p, ReadOnlySpan<float> qkv, int batch, int seqLen, int hidden, int heads)
    {
        int d = hidden / heads;
        for (int b = 0; b < batch; b++) for (int h = 0; h < heads; h++) for (int i = 0; i < seqLen; i++) for (int k = 0; k < d; k++)
        {
            float s = 0; for (int j = 0; j < seqLen; j++) s += p[((b * heads + h) * seqLen + i) * seqLen + j] * qkv[(b * seqLen + j) * 3 * hidden + 2 * hidden + h * d + k];
            output[(b * seqLen + i) * hidden + h * d + k] = s;
        }
    }
    public static void Backward(Span<float> dQkv, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv, ReadOnlySpan<float> probs, ReadOnlySpan<byte> dropoutMask, int batch, int seqLen, int hidden, int heads, float dropoutProbability)
    {
        int d = hidden / heads; float scale = 1f / MathF.Sqrt(d);
        float keep = dropoutProbability > 0 ? 1f / (1f - dropoutProbability) : 1f;
        var dp = new float[seqLen];
        for (int b = 0; b < batch; b++) for (int h = 0; h < heads; h++) for (int i = 0; i < seqLen; i++)
        {
            int prow = ((b * heads + h) * seqLen + i) * seqLen;
            for (int j = 0; j < seqLen; j++)
            {
                float m = dropoutProbability > 0 ? (dropoutMask[prow + j] != 0 ? keep : 0f) : 1f;
                float s = 0;
                for (int k = 0; k < d; k++)
                {
                    float go = dOutput[(b * seqLen + i) * hidden + h * d + k];
                    s += go * qkv[(b * seqLen + j) * 3 * hidden + 2 * hidden + h * d + k];
                    dQkv[(b * seqLen + j) * 3 * hidden + 2 * hidden + h * d + k] += go * probs[prow + j] * m;
                }
                dp[j] = s * m;
            }
            float dot = 0; for (int j = 0; j < seqLen; j++) dot += dp[j] * probs[prow + j];
            for (int j = 0; j < seqLen; j++)
            {
                float ds = probs[prow + j] * (dp[j] - dot) * scale;
                for (int k = 0; k < d; k++)
                {
                    dQkv[(b * seqLen + i) * 3 * hidden + h * d + k] += ds * qkv[(b * seqLen + j) * 3 * hidden + hidden + h * d + k];
                    dQkv[(b * seqLen + j) * 3 * hidden + hidden + h * d + k] += ds * qkv[(b * seqLen + i) * 3 * hidden + h * d + k];
                }
            }
        }
    }
}
