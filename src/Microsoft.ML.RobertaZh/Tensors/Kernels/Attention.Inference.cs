namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static partial class Attention
{
    /// <summary>Per-thread score scratch of the inference passes (one (sequence, head) at a time).</summary>
    [ThreadStatic] private static float[]? t_scores;

    /// <summary>
    /// Inference attention over a padded batch: the values of <see cref="Forward"/> without dropout (the same products
    /// and softmax rows, so bit-identical), but the probabilities are not kept — each (sequence, head) computes its
    /// scores in a per-thread scratch of seqLen² floats that stays in cache, instead of a (batch, heads, seqLen, seqLen)
    /// buffer.
    /// </summary>
    /// <param name="output">(batch·seqLen, hidden): context with heads concatenated.</param>
    /// <param name="qkv">(batch·seqLen, 3·hidden) row-major, rows [q | k | v].</param>
    /// <param name="additiveMask">(batch, seqLen): 0 or float.MinValue per key; or empty for no mask.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Model width (heads·d).</param>
    /// <param name="heads">Number of heads (divides hidden).</param>
    public static void ForwardInference(Span<float> output, ReadOnlySpan<float> qkv, ReadOnlySpan<float> additiveMask, int batch, int seqLen, int hidden, int heads)
    {
        KernelGuard.NonNegative(batch, nameof(batch));
        KernelGuard.NonNegative(seqLen, nameof(seqLen));
        var lengths = new int[batch];
        var offsets = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = seqLen;
            offsets[b] = b * seqLen;
        }
        if (!additiveMask.IsEmpty) KernelGuard.Length(additiveMask.Length, (long)batch * seqLen, nameof(additiveMask));
        if (seqLen == 0) return;
        Run(output, qkv, additiveMask, lengths, offsets, hidden, heads);
    }

    /// <summary>
    /// Inference attention over sequences packed without padding: sequence b occupies rows offsets[b] … offsets[b] +
    /// lengths[b] − 1 of <paramref name="qkv"/> and <paramref name="output"/>, and attends to its own lengths[b] keys
    /// only — the keys that <see cref="Forward"/> would leave unmasked for a prefix mask. Padded positions are never
    /// materialized: no scores, no softmax, no products for them. Without dropout; scores in a per-thread scratch.
    /// </summary>
    /// <param name="output">(Σ lengths, hidden): context with heads concatenated.</param>
    /// <param name="qkv">(Σ lengths, 3·hidden) rows [q | k | v].</param>
    /// <param name="lengths">Length of each sequence (≥ 1).</param>
    /// <param name="offsets">First packed row of each sequence.</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads.</param>
    public static void ForwardPacked(Span<float> output, ReadOnlySpan<float> qkv, int[] lengths, int[] offsets, int hidden, int heads)
    {
        for (int b = 0; b < lengths.Length; b++) KernelGuard.Positive(lengths[b], nameof(lengths));
        Run(output, qkv, default, lengths, offsets, hidden, heads);
    }

    private static unsafe void Run(Span<float> output, ReadOnlySpan<float> qkv, ReadOnlySpan<float> additiveMask, int[] lengths, int[] offsets, int hidden, int heads)
    {
        KernelGuard.Positive(hidden, nameof(hidden));
        KernelGuard.Positive(heads, nameof(heads));
        if (hidden % heads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"hidden ({hidden}) must be a multiple of heads ({heads}).");
        }

        int batch = lengths.Length, headDim = hidden / heads;
        KernelGuard.Length(offsets.Length, batch, nameof(offsets));
        long rows = 0, work = 0;
        for (int b = 0; b < batch; b++)
        {
            rows = Math.Max(rows, (long)offsets[b] + lengths[b]);
            work += (long)heads * lengths[b] * lengths[b] * headDim;
        }
        KernelGuard.Length(qkv.Length, rows * 3 * hidden, nameof(qkv));
        KernelGuard.Length(output.Length, rows * hidden, nameof(output));

        int pairs = batch * heads, maskLength = additiveMask.Length;
        fixed (float* po = output)
        fixed (float* pq = qkv)
        fixed (float* pm = additiveMask)
        {
            float* o = po, q = pq, m = pm;
            void Pair(int pair)
            {
                int b = pair / heads, h = pair % heads, len = lengths[b], ld = 3 * hidden;
                long first = (long)offsets[b] * ld + h * headDim;
                int span = (len - 1) * ld + headDim;
                var queries = new ReadOnlySpan<float>(q + first, span);
                var keys = new ReadOnlySpan<float>(q + first + hidden, span);
                var values = new ReadOnlySpan<float>(q + first + 2 * hidden, span);
                var context = new Span<float>(o + (long)offsets[b] * hidden + h * headDim, (len - 1) * hidden + headDim);
                var mask = maskLength == 0 ? default : new ReadOnlySpan<float>(m + (long)b * len, len);
                float[] scratch = t_scores is { } s && s.Length >= len * len ? s : (t_scores = new float[Math.Max(len * len, 128 * 128)]);
                var scores = scratch.AsSpan(0, len * len);
                float scale = 1f / MathF.Sqrt(headDim);
                Gemm.Multiply(false, true, len, len, headDim, queries, ld, keys, ld, scores, len, parallel: false);
                for (int i = 0; i < len; i++)
                {
                    var row = scores.Slice(i * len, len);
                    Softmax.ForwardRow(row, row, mask, scale);
                }
                Gemm.Multiply(false, false, len, headDim, len, scores, len, values, ld, context, hidden, parallel: false);
            }

            if (!KernelParallel.ShouldParallelize(work, pairs))
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
