namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static partial class Attention
{
    /// <summary>
    /// Inference attention over sequences packed without padding: sequence b occupies rows offsets[b] … offsets[b] +
    /// lengths[b] − 1 of <paramref name="qkv"/> and <paramref name="output"/>, and attends to its own lengths[b] keys
    /// only — the keys that <see cref="Forward"/> would leave unmasked for a prefix mask. Padded positions are never
    /// materialized: no scores, no softmax, no products for them. Without dropout.
    /// </summary>
    /// <param name="output">(Σ lengths, hidden): context with heads concatenated.</param>
    /// <param name="probs">Scratch of at least heads · Σ lengths[b]² floats (the probabilities, per sequence and head).</param>
    /// <param name="qkv">(Σ lengths, 3·hidden) rows [q | k | v].</param>
    /// <param name="lengths">Length of each sequence (≥ 1).</param>
    /// <param name="offsets">First packed row of each sequence.</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads.</param>
    public static unsafe void ForwardPacked(Span<float> output, Span<float> probs, ReadOnlySpan<float> qkv, int[] lengths, int[] offsets, int hidden, int heads)
    {
        KernelGuard.Positive(hidden, nameof(hidden));
        KernelGuard.Positive(heads, nameof(heads));
        int batch = lengths.Length, headDim = hidden / heads;
        long rows = 0, square = 0;
        var probOffsets = new long[batch + 1];
        for (int b = 0; b < batch; b++)
        {
            KernelGuard.Positive(lengths[b], nameof(lengths));
            rows += lengths[b];
            probOffsets[b + 1] = probOffsets[b] + (long)heads * lengths[b] * lengths[b];
        }
        square = probOffsets[batch];
        KernelGuard.Length(qkv.Length, rows * 3 * hidden, nameof(qkv));
        KernelGuard.Length(output.Length, rows * hidden, nameof(output));
        KernelGuard.Length(probs.Length, square, nameof(probs));

        int pairs = batch * heads;
        fixed (float* po = output)
        fixed (float* pp = probs)
        fixed (float* pq = qkv)
        {
            float* o = po, p = pp, q = pq;
            void Pair(int pair)
            {
                int b = pair / heads, h = pair % heads, len = lengths[b], ld = 3 * hidden;
                var q0 = new ReadOnlySpan<float>(q + (long)offsets[b] * ld + h * headDim, (len - 1) * ld + headDim);
                var k0 = new ReadOnlySpan<float>(q + (long)offsets[b] * ld + hidden + h * headDim, (len - 1) * ld + headDim);
                var v0 = new ReadOnlySpan<float>(q + (long)offsets[b] * ld + 2 * hidden + h * headDim, (len - 1) * ld + headDim);
                var pr = new Span<float>(p + probOffsets[b] + (long)h * len * len, len * len);
                var ctx = new Span<float>(o + (long)offsets[b] * hidden + h * headDim, (len - 1) * hidden + headDim);
                float scale = 1f / MathF.Sqrt(headDim);
                Gemm.Multiply(false, true, len, len, headDim, q0, ld, k0, ld, pr, len, parallel: false);
                for (int i = 0; i < len; i++)
                {
                    var row = pr.Slice(i * len, len);
                    Softmax.ForwardRow(row, row, default, scale);
                }
                Gemm.Multiply(false, false, len, headDim, len, pr, len, v0, ld, ctx, hidden, parallel: false);
            }

            if (!KernelParallel.ShouldParallelize(square * headDim, pairs))
            {
                for (int pair = 0; pair < pairs; pair++) Pair(pair);
            }
            else
            {
                // Longest sequences first, so the last tasks to start are short ones.
                var order = Enumerable.Range(0, pairs).OrderByDescending(i => lengths[i / heads]).ToArray();
                KernelParallel.For(pairs, i => Pair(order[i]));
            }
        }
    }
}
