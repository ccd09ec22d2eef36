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

    /// <summary>
    /// One sequence's attention, every head, on the calling thread: <paramref name="qkv"/> holds its
    /// <paramref name="length"/> rows [q | k | v] (stride 3·hidden) and <paramref name="context"/> receives its rows
    /// (stride hidden). The same products and softmax rows as <see cref="ForwardInference"/> and
    /// <see cref="ForwardPacked"/> for that sequence, so the same bits; for callers that produce a sequence's Q, K and V
    /// and consume them while they are in cache.
    /// </summary>
    /// <param name="context">(length, hidden): the sequence's context, heads concatenated.</param>
    /// <param name="qkv">(length, 3·hidden): the sequence's rows [q | k | v].</param>
    /// <param name="length">Tokens in the sequence (≥ 1).</param>
    /// <param name="additiveMask">The sequence's keys' additive mask (length entries), or empty for none.</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads (divides hidden).</param>
    internal static void ForwardSequence(Span<float> context, ReadOnlySpan<float> qkv, int length, ReadOnlySpan<float> additiveMask, int hidden, int heads)
    {
        KernelGuard.Positive(length, nameof(length));
        KernelGuard.Positive(heads, nameof(heads));
        if (hidden % heads != 0) throw new ArgumentOutOfRangeException(nameof(heads), heads, $"hidden ({hidden}) must be a multiple of heads ({heads}).");
        KernelGuard.Length(qkv.Length, (long)length * 3 * hidden, nameof(qkv));
        KernelGuard.Length(context.Length, (long)length * hidden, nameof(context));
        if (!additiveMask.IsEmpty) KernelGuard.Length(additiveMask.Length, length, nameof(additiveMask));
        for (int head = 0; head < heads; head++) Head(context, qkv, length, length, additiveMask, hidden, hidden / heads, head);
    }

    /// <summary>
    /// The context of each sequence's first token only, every head: softmax(q₀·Kᵀ/√d + mask)·V for its own keys —
    /// what a classifier reads from the last layer. Row b of <paramref name="context"/> gets the values (the same bits)
    /// that <see cref="ForwardInference"/> or <see cref="ForwardPacked"/> give the first row of sequence b: the products
    /// run through the same micro-kernels over the same keys in the same order, only for one query row.
    /// </summary>
    /// <param name="context">(sequences, hidden): one row per sequence, heads concatenated.</param>
    /// <param name="qkv">Rows [q | k | v] (stride 3·hidden); sequence b occupies rows offsets[b] … offsets[b] + lengths[b] − 1.</param>
    /// <param name="lengths">Tokens (keys) of each sequence (≥ 1).</param>
    /// <param name="offsets">First row of each sequence.</param>
    /// <param name="additiveMask">Empty for none, else sequence b's keys' mask at additiveMask[b·maskStride …] (lengths[b] entries).</param>
    /// <param name="maskStride">Distance between sequences' masks (the padded length).</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads (divides hidden).</param>
    internal static unsafe void ForwardFirstQueries(Span<float> context, ReadOnlySpan<float> qkv, int[] lengths, int[] offsets, ReadOnlySpan<float> additiveMask,
        int maskStride, int hidden, int heads)
    {
        KernelGuard.Positive(heads, nameof(heads));
        if (hidden % heads != 0) throw new ArgumentOutOfRangeException(nameof(heads), heads, $"hidden ({hidden}) must be a multiple of heads ({heads}).");
        KernelGuard.Length(offsets.Length, lengths.Length, nameof(offsets));
        KernelGuard.Length(context.Length, (long)lengths.Length * hidden, nameof(context));
        for (int b = 0; b < lengths.Length; b++)
        {
            KernelGuard.Positive(lengths[b], nameof(lengths));
            KernelGuard.Length(qkv.Length, ((long)offsets[b] + lengths[b]) * 3 * hidden, nameof(qkv));
            if (!additiveMask.IsEmpty) KernelGuard.Length(additiveMask.Length, (long)b * maskStride + lengths[b], nameof(additiveMask));
        }
        int headDim = hidden / heads, sequences = lengths.Length, maskLength = additiveMask.Length;
        long work = 0;
        foreach (int length in lengths) work += (long)hidden * length;
        fixed (float* po = context)
        fixed (float* pq = qkv)
        fixed (float* pm = additiveMask)
        {
            float* o = po, q = pq, m = pm;
            void Sequence(int b)
            {
                var sequence = new ReadOnlySpan<float>(q + (long)offsets[b] * 3 * hidden, lengths[b] * 3 * hidden);
                var mask = maskLength == 0 ? default : new ReadOnlySpan<float>(m + (long)b * maskStride, lengths[b]);
                var row = new Span<float>(o + (long)b * hidden, hidden);
                for (int head = 0; head < heads; head++) Head(row, sequence, lengths[b], 1, mask, hidden, headDim, head);
            }

            // Each sequence's products pack its keys and values for one query: as much work as the products themselves.
            if (!KernelParallel.ShouldParallelize(4 * work, sequences))
            {
                for (int b = 0; b < sequences; b++) Sequence(b);
            }
            else
            {
                KernelParallel.For(sequences, Sequence);
            }
        }
    }

    /// <summary>
    /// softmax(Q·Kᵀ/√d + mask)·V of one head of one sequence for its first <paramref name="queries"/> rows (all
    /// <paramref name="len"/> keys), scores in the thread's scratch.
    /// </summary>
    private static void Head(Span<float> context, ReadOnlySpan<float> qkv, int len, int queries, ReadOnlySpan<float> mask, int hidden, int headDim, int head)
    {
        int ld = 3 * hidden, span = (len - 1) * ld + headDim, first = head * headDim;
        var queryRows = qkv.Slice(first, (queries - 1) * ld + headDim);
        var keys = qkv.Slice(first + hidden, span);
        var values = qkv.Slice(first + 2 * hidden, span);
        var output = context.Slice(first, (queries - 1) * hidden + headDim);
        float[] scratch = t_scores is { } s && s.Length >= queries * len ? s : (t_scores = new float[Math.Max(queries * len, 128 * 128)]);
        var scores = scratch.AsSpan(0, queries * len);
        float scale = 1f / MathF.Sqrt(headDim);
        Gemm.Multiply(false, true, queries, len, headDim, queryRows, ld, keys, ld, scores, len, parallel: false);
        for (int i = 0; i < queries; i++)
        {
            var row = scores.Slice(i * len, len);
            Softmax.ForwardRow(row, row, mask, scale);
        }
        Gemm.Multiply(false, false, queries, headDim, len, scores, len, values, ld, output, hidden, parallel: false);
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
                int b = pair / heads, len = lengths[b];
                var sequence = new ReadOnlySpan<float>(q + (long)offsets[b] * 3 * hidden, len * 3 * hidden);
                var context = new Span<float>(o + (long)offsets[b] * hidden, len * hidden);
                var mask = maskLength == 0 ? default : new ReadOnlySpan<float>(m + (long)b * len, len);
                Head(context, sequence, len, len, mask, hidden, headDim, pair % heads);
            }

            if (!KernelParallel.ShouldParallelize(work, pairs))
            {
                for (int pair = 0; pair < pairs; pair++) Pair(pair);
            }
            else
            {
                // Longest sequences first, so the last tasks to start are short ones.
                var order = Enumerable.Range(0, pairs).OrderByDescending(i => lengths[i / heads]).ToArray();
                KernelParallel.ForLargestFirst(pairs, i => Pair(order[i]));
            }
        }
    }
}
