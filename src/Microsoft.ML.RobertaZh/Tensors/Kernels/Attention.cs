using System.Buffers;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Multi-head scaled dot-product self-attention as HF BertSelfAttention (eager path):
/// scores = Q·Kᵀ/√d + mask, P = softmax(scores), context = dropout(P)·V, heads concatenated.
/// Q, K, V come fused in one (batch·seqLen, 3·hidden) tensor whose rows are [q | k | v]; head h occupies columns
/// h·d … h·d + d − 1 of each third (d = hidden/heads). Work is split over (batch, head) pairs, each running its
/// products with <c>Gemm.Multiply</c> on the calling thread.
/// </summary>
internal static partial class Attention
{
    /// <summary>
    /// Forward pass. Scores are scaled by the float 1/√d (multiplication; identical to torch's division when d is a
    /// power of two, as for BERT's d = 64) and the additive mask is then added to every key — including fully masked
    /// rows, which therefore become uniform exactly as in HF.
    /// </summary>
    /// <param name="output">(batch·seqLen, hidden): context with heads concatenated (HF's context layer after permute/reshape).</param>
    /// <param name="probs">(batch, heads, seqLen, seqLen): softmax probabilities before dropout (saved for backward).</param>
    /// <param name="dropoutMask">(batch, heads, seqLen, seqLen) keep(1)/drop(0) bytes, written when p &gt; 0; may be empty when p == 0.
    /// Element ((b·heads + h)·seqLen + i)·seqLen + j uses random index of that flat position in (seed, stream).</param>
    /// <param name="qkv">(batch·seqLen, 3·hidden) row-major, rows [q | k | v].</param>
    /// <param name="additiveMask">(batch, seqLen): 0 for attended keys, float.MinValue (torch.finfo.min) for padding; or empty for no mask.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Model width (heads·d).</param>
    /// <param name="heads">Number of heads (divides hidden).</param>
    /// <param name="dropoutProbability">Attention-probability dropout p in [0, 1].</param>
    /// <param name="seed">Dropout seed.</param>
    /// <param name="stream">Dropout stream (distinct per layer and step).</param>
    public static unsafe void Forward(Span<float> output, Span<float> probs, Span<byte> dropoutMask, ReadOnlySpan<float> qkv, ReadOnlySpan<float> additiveMask,
        int batch, int seqLen, int hidden, int heads, float dropoutProbability, ulong seed, ulong stream)
    {
        int headDim = CheckShapes(qkv.Length, probs.Length, dropoutMask.Length, batch, seqLen, hidden, heads, dropoutProbability);
        KernelGuard.Length(output.Length, (long)batch * seqLen * hidden, nameof(output));
        if (!additiveMask.IsEmpty)
        {
            KernelGuard.Length(additiveMask.Length, (long)batch * seqLen, nameof(additiveMask));
        }

        if (seqLen == 0)
        {
            return;
        }

        int pairs = batch * heads;
        if (!KernelParallel.ShouldParallelize((long)pairs * seqLen * seqLen * headDim, pairs))
        {
            for (int pair = 0; pair < pairs; pair++)
            {
                ForwardPair(pair, output, probs, dropoutMask, qkv, additiveMask, seqLen, hidden, heads, headDim, dropoutProbability, seed, stream);
            }

            return;
        }

        fixed (float* po = output)
        fixed (float* pp = probs)
        fixed (byte* pm = dropoutMask)
        fixed (float* pq = qkv)
        fixed (float* pa = additiveMask)
        {
            float* o = po, p = pp, q = pq, a = pa;
            byte* m = pm;
            int lo = output.Length, lp = probs.Length, lm = dropoutMask.Length, lq = qkv.Length, la = additiveMask.Length;
            KernelParallel.For(pairs, pair => ForwardPair(pair, new Span<float>(o, lo), new Span<float>(p, lp), new Span<byte>(m, lm),
                new ReadOnlySpan<float>(q, lq), new ReadOnlySpan<float>(a, la), seqLen, hidden, heads, headDim, dropoutProbability, seed, stream));
        }
    }

    /// <summary>
    /// Backward pass; adds into <paramref name="dQkv"/>. With P̃ = P ⊙ mask/(1−p) and dO the output gradient of one head:
    /// dV += P̃ᵀ·dO, dP = (dO·Vᵀ) ⊙ mask/(1−p), dS = P ⊙ (dP − rowsum(dP ⊙ P))/√d, dQ += dS·K, dK += dSᵀ·Q.
    /// </summary>
    /// <param name="dQkv">(batch·seqLen, 3·hidden); accumulated into.</param>
    /// <param name="dOutput">(batch·seqLen, hidden).</param>
    /// <param name="qkv">(batch·seqLen, 3·hidden) as in the forward pass.</param>
    /// <param name="probs">(batch, heads, seqLen, seqLen) from the forward pass.</param>
    /// <param name="dropoutMask">(batch, heads, seqLen, seqLen) from the forward pass, or empty when p == 0.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="dropoutProbability">The forward dropout probability.</param>
    /// <param name="accumulate">False to overwrite <paramref name="dQkv"/> instead of adding (every element is written
    /// exactly once, so this equals clearing it first, without the extra pass).</param>
    public static unsafe void Backward(Span<float> dQkv, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv, ReadOnlySpan<float> probs,
        ReadOnlySpan<byte> dropoutMask, int batch, int seqLen, int hidden, int heads, float dropoutProbability, bool accumulate = true)
    {
        int headDim = CheckShapes(qkv.Length, probs.Length, dropoutMask.Length, batch, seqLen, hidden, heads, dropoutProbability);
        KernelGuard.Length(dQkv.Length, (long)batch * seqLen * 3 * hidden, nameof(dQkv));
        KernelGuard.Length(dOutput.Length, (long)batch * seqLen * hidden, nameof(dOutput));

        if (seqLen == 0)
        {
            return;
        }

        int pairs = batch * heads;
        if (!KernelParallel.ShouldParallelize((long)pairs * seqLen * seqLen * headDim, pairs))
        {
            for (int pair = 0; pair < pairs; pair++)
            {
                BackwardPair(pair, dQkv, dOutput, qkv, probs, dropoutMask, seqLen, hidden, heads, headDim, dropoutProbability, accumulate);
            }

            return;
        }

        fixed (float* pd = dQkv)
        fixed (float* pg = dOutput)
        fixed (float* pq = qkv)
        fixed (float* pp = probs)
        fixed (byte* pm = dropoutMask)
        {
            float* d = pd, g = pg, q = pq, p = pp;
            byte* m = pm;
            int ld = dQkv.Length, lg = dOutput.Length, lq = qkv.Length, lp = probs.Length, lm = dropoutMask.Length;
            KernelParallel.For(pairs, pair => BackwardPair(pair, new Span<float>(d, ld), new ReadOnlySpan<float>(g, lg), new ReadOnlySpan<float>(q, lq),
                new ReadOnlySpan<float>(p, lp), new ReadOnlySpan<byte>(m, lm), seqLen, hidden, heads, headDim, dropoutProbability, accumulate));
        }
    }

    /// <summary>
    /// Scalar specification of <see cref="Forward"/> (plain loops in float, no Gemm, no threads): for every (b, h, i),
    /// z_j = (q_i·k_j)·scale + mask_j, p = softmax(z) by <see cref="Softmax.ForwardRowScalar"/>, context_i = Σ_j p̃_j·v_j
    /// with p̃ = p·keep/(1−p). The dropout mask is read from <paramref name="dropoutMask"/> (generate it first when p &gt; 0).
    /// </summary>
    /// <param name="output">(batch·seqLen, hidden).</param>
    /// <param name="probs">(batch, heads, seqLen, seqLen).</param>
    /// <param name="dropoutMask">(batch, heads, seqLen, seqLen) keep bytes, or empty when p == 0.</param>
    /// <param name="qkv">(batch·seqLen, 3·hidden), rows [q | k | v].</param>
    /// <param name="additiveMask">(batch, seqLen) or empty.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="hidden">Model width.</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="dropoutProbability">Dropout probability p.</param>
    internal static void ForwardScalar(Span<float> output, Span<float> probs, ReadOnlySpan<byte> dropoutMask, ReadOnlySpan<float> qkv, ReadOnlySpan<float> additiveMask,
        int batch, int seqLen, int hidden, int heads, float dropoutProbability)
    {
        int d = hidden / heads;
        int ld = 3 * hidden;
        float scale = 1f / MathF.Sqrt(d);
        float keepScale = dropoutProbability >= 1f ? 0f : 1f / (1f - dropoutProbability);
        for (int b = 0; b < batch; b++)
        {
            var mask = additiveMask.IsEmpty ? default : additiveMask.Slice(b * seqLen, seqLen);
            for (int h = 0; h < heads; h++)
            {
                for (int i = 0; i < seqLen; i++)
                {
                    int rowBase = ((((b * heads) + h) * seqLen) + i) * seqLen;
                    var row = probs.Slice(rowBase, seqLen);
                    for (int j = 0; j < seqLen; j++)
                    {
                        float dot = 0f;
                        for (int c = 0; c < d; c++)
                        {
                            dot += qkv[(((b * seqLen) + i) * ld) + (h * d) + c] * qkv[(((b * seqLen) + j) * ld) + hidden + (h * d) + c];
                        }

                        row[j] = dot;
                    }

                    Softmax.ForwardRowScalar(row, row, mask, scale, out _, out _);
                    for (int c = 0; c < d; c++)
                    {
                        float sum = 0f;
                        for (int j = 0; j < seqLen; j++)
                        {
                            float weight = dropoutProbability > 0f ? row[j] * (dropoutMask[rowBase + j] * keepScale) : row[j];
                            sum += weight * qkv[(((b * seqLen) + j) * ld) + (2 * hidden) + (h * d) + c];
                        }

                        output[(((b * seqLen) + i) * hidden) + (h * d) + c] = sum;
                    }
                }
            }
        }
    }

    /// <summary>Validates shapes; returns the head size.</summary>
    private static int CheckShapes(int qkvLength, int probsLength, int maskLength, int batch, int seqLen, int hidden, int heads, float p)
    {
        KernelGuard.NonNegative(batch, nameof(batch));
        KernelGuard.NonNegative(seqLen, nameof(seqLen));
        KernelGuard.Positive(hidden, nameof(hidden));
        KernelGuard.Positive(heads, nameof(heads));
        KernelGuard.Probability(p, "dropoutProbability");
        if (hidden % heads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"hidden ({hidden}) must be a multiple of heads ({heads}).");
        }

        KernelGuard.Length(qkvLength, (long)batch * seqLen * 3 * hidden, "qkv");
        long probsSize = (long)batch * heads * seqLen * seqLen;
        KernelGuard.Length(probsLength, probsSize, "probs");
        if (p > 0f)
        {
            KernelGuard.Length(maskLength, probsSize, "dropoutMask");
        }

        return hidden / heads;
    }

    private static void ForwardPair(int pair, Span<float> output, Span<float> probs, Span<byte> dropoutMask, ReadOnlySpan<float> qkv,
        ReadOnlySpan<float> additiveMask, int seqLen, int hidden, int heads, int headDim, float p, ulong seed, ulong stream)
    {
        int b = pair / heads, h = pair % heads;
        int ld = 3 * hidden;
        int baseRow = b * seqLen * ld;
        var q = qkv[(baseRow + (h * headDim))..];
        var k = qkv[(baseRow + hidden + (h * headDim))..];
        var v = qkv[(baseRow + (2 * hidden) + (h * headDim))..];
        int square = seqLen * seqLen;
        var pr = probs.Slice(pair * square, square);
        var context = output[((b * seqLen * hidden) + (h * headDim))..];
        float scale = 1f / MathF.Sqrt(headDim);
        var mask = additiveMask.IsEmpty ? default : additiveMask.Slice(b * seqLen, seqLen);

        // Raw scores Q·Kᵀ land in the probability buffer and are normalized in place.
        Gemm.Multiply(false, true, seqLen, seqLen, headDim, q, ld, k, ld, pr, seqLen, parallel: false);
        for (int i = 0; i < seqLen; i++)
        {
            var row = pr.Slice(i * seqLen, seqLen);
            Softmax.ForwardRow(row, row, mask, scale);
        }

        if (p == 0f)
        {
            Gemm.Multiply(false, false, seqLen, headDim, seqLen, pr, seqLen, v, ld, context, hidden, parallel: false);
            return;
        }

        var dm = dropoutMask.Slice(pair * square, square);
        Dropout.GenerateMaskSerial(dm, p, seed, stream, (ulong)pair * (ulong)square);
        float[] scratch = ArrayPool<float>.Shared.Rent(square);
        try
        {
            var dropped = scratch.AsSpan(0, square);
            Dropout.ApplyMask(dropped, pr, dm, p, accumulate: false);
            Gemm.Multiply(false, false, seqLen, headDim, seqLen, dropped, seqLen, v, ld, context, hidden, parallel: false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static void BackwardPair(int pair, Span<float> dQkv, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv, ReadOnlySpan<float> probs,
        ReadOnlySpan<byte> dropoutMask, int seqLen, int hidden, int heads, int headDim, float p, bool accumulate)
    {
        int b = pair / heads, h = pair % heads;
        int ld = 3 * hidden;
        int baseRow = b * seqLen * ld;
        int qOff = baseRow + (h * headDim), kOff = qOff + hidden, vOff = qOff + (2 * hidden);
        int square = seqLen * seqLen;
        var pr = probs.Slice(pair * square, square);
        var dO = dOutput[((b * seqLen * hidden) + (h * headDim))..];
        float scale = 1f / MathF.Sqrt(headDim);

        float[] scratch = ArrayPool<float>.Shared.Rent(2 * square);
        try
        {
            var dropped = scratch.AsSpan(0, square);   // P̃ (or P when p == 0)
            var dP = scratch.AsSpan(square, square);   // gradient w.r.t. P, then reused
            ReadOnlySpan<float> used = pr;
            ReadOnlySpan<byte> dm = p > 0f ? dropoutMask.Slice(pair * square, square) : default;
            if (p > 0f)
            {
                Dropout.ApplyMask(dropped, pr, dm, p, accumulate: false);
                used = dropped;
            }

            // dV += P̃ᵀ·dO
            Gemm.Multiply(true, false, seqLen, headDim, seqLen, used, seqLen, dO, hidden, dQkv[vOff..], ld, accumulate, parallel: false);

            // dP̃ = dO·Vᵀ, then through the dropout: dP = dP̃ ⊙ mask/(1−p)
            Gemm.Multiply(false, true, seqLen, seqLen, headDim, dO, hidden, qkv[vOff..], ld, dP, seqLen, parallel: false);
            if (p > 0f)
            {
                Dropout.ApplyMask(dP, dP, dm, p, accumulate: false);
            }

            // dS (w.r.t. raw Q·Kᵀ) = scale·P ⊙ (dP − Σ dP⊙P), written over the P̃ scratch.
            dropped.Clear();
            for (int i = 0; i < seqLen; i++)
            {
                Softmax.BackwardRow(dropped.Slice(i * seqLen, seqLen), dP.Slice(i * seqLen, seqLen), pr.Slice(i * seqLen, seqLen), scale);
            }

            // dQ += dS·K, dK += dSᵀ·Q
            Gemm.Multiply(false, false, seqLen, headDim, seqLen, dropped, seqLen, qkv[kOff..], ld, dQkv[qOff..], ld, accumulate, parallel: false);
            Gemm.Multiply(true, false, seqLen, headDim, seqLen, dropped, seqLen, qkv[qOff..], ld, dQkv[kOff..], ld, accumulate, parallel: false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
