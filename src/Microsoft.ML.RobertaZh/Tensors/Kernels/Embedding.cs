namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class Embedding
{
    public static void Forward(Span<float> output, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, ReadOnlySpan<float> wordEmbeddings, ReadOnlySpan<float> positionEmbeddings, ReadOnlySpan<float> tokenTypeEmbeddings, int batch, int seqLen, int hidden)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seqLen; t++)
            {
                int i = b * seqLen + t;
                var o = output.Slice(i * hidden, hidden);
                var w = wordEmbeddings.Slice(inputIds[i] * hidden, hidden);
                var p = positionEmbeddings.Slice(t * hidden, hidden);
                var y = tokenTypeEmbeddings.Slice(tokenTypeIds[i] * hidden, hidden);
                for (int j = 0; j < hidden; j++) o[j] = w[j] + p[j] + y[j];
            }
    }
    public static void Backward(Span<float> dWordEmbeddings, Span<float> dPositionEmbeddings, Span<float> dTokenTypeEmbeddings, ReadOnlySpan<float> dOutput, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int batch, int seqLen, int hidden)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seqLen; t++)
            {
                int i = b * seqLen + t;
                var d = dOutput.Slice(i * hidden, hidden);
                var w = dWordEmbeddings.Slice(inputIds[i] * hidden, hidden);
                var p = dPositionEmbeddings.Slice(t * hidden, hidden);
                var y = dTokenTypeEmbeddings.Slice(tokenTypeIds[i] * hidden, hidden);
                for (int j = 0; j < hidden; j++) { w[j] += d[j]; p[j] += d[j]; y[j] += d[j]; }
            }
    }
}
