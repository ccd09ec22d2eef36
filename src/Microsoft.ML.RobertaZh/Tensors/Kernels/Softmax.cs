using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Row softmax with scale and additive mask, as in HF BertSelfAttention: p = softmax(s·scale + mask) along the last
/// axis, computed stably as exp(z − max z)/Σ exp(z − max z) (TensorPrimitives.SoftMax does not subtract the maximum,
/// so it is not used). The scaled score is rounded before the mask is added, as torch does (two float operations).
/// Also log-softmax rows (MLM log-probabilities) and both backward passes.
/// </summary>
internal static class Softmax
{
    /// <summary>Rows whose columns sum to at least this much work are spread over threads.</summary>
    private const int RowsWorkChunk = 1 << 14;

    /// <summary>probs[r, j] = softmax_j(scores[r, j]·scale + mask[j or r, j]).</summary>
    /// <param name="probs">(rows, cols) row-major; may alias <paramref name="scores"/> exactly.</param>
    /// <param name="scores">(rows, cols) row-major.</param>
    /// <param name="additiveMask">Empty (no mask); length ≥ rows·cols: one mask row per score row, (rows, cols); otherwise
    /// length ≥ cols: the same mask row for every row.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns (softmax axis).</param>
    /// <param name="scale">Multiplier applied to scores before the mask (1/√headDim in attention).</param>
    public static void Forward(Span<float> probs, ReadOnlySpan<float> scores, ReadOnlySpan<float> additiveMask, int rows, int cols, float scale = 1f)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.NonNegative(cols, nameof(cols));
        long size = (long)rows * cols;
        KernelGuard.Length(scores.Length, size, nameof(scores));
        KernelGuard.Length(probs.Length, size, nameof(probs));
        bool perRowMask = CheckMask(additiveMask, rows, cols);
        ForEachRowChunk(rows, cols, scale, perRowMask ? 1 : 0, static (start, end, cols, scale, perRow, p, s, m, _) =>
        {
            for (int r = start; r < end; r++)
            {
                var mask = m.IsEmpty ? default : perRow != 0 ? m.Slice(r * cols, cols) : m[..cols];
                ForwardRow(p.Slice(r * cols, cols), s.Slice(r * cols, cols), mask, scale);
            }
        }, probs, scores, additiveMask, default);
    }

    /// <summary>dScores += scale·p ⊙ (dP − Σ_j dP_j·p_j) per row (Jacobian of softmax, times the score scale). Adds.</summary>
    /// <param name="dScores">(rows, cols); accumulated into (gradient w.r.t. the unscaled scores).</param>
    /// <param name="dProbs">(rows, cols): gradient w.r.t. the probabilities.</param>
    /// <param name="probs">(rows, cols): the forward output.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <param name="scale">The forward scale.</param>
    public static void Backward(Span<float> dScores, ReadOnlySpan<float> dProbs, ReadOnlySpan<float> probs, int rows, int cols, float scale = 1f)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.NonNegative(cols, nameof(cols));
        long size = (long)rows * cols;
        KernelGuard.Length(dScores.Length, size, nameof(dScores));
        KernelGuard.Length(dProbs.Length, size, nameof(dProbs));
        KernelGuard.Length(probs.Length, size, nameof(probs));
        ForEachRowChunk(rows, cols, scale, 0, static (start, end, cols, scale, _, d, g, p, _) =>
        {
            for (int r = start; r < end; r++)
            {
                BackwardRow(d.Slice(r * cols, cols), g.Slice(r * cols, cols), p.Slice(r * cols, cols), scale);
            }
        }, dScores, dProbs, probs, default);
    }

    /// <summary>logProbs[r, j] = logits[r, j] − max_r − log Σ_k exp(logits[r, k] − max_r).</summary>
    /// <param name="logProbs">(rows, cols); may alias <paramref name="logits"/> exactly.</param>
    /// <param name="logits">(rows, cols) row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of classes.</param>
    public static void LogForward(Span<float> logProbs, ReadOnlySpan<float> logits, int rows, int cols)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.NonNegative(cols, nameof(cols));
        long size = (long)rows * cols;
        KernelGuard.Length(logits.Length, size, nameof(logits));
        KernelGuard.Length(logProbs.Length, size, nameof(logProbs));
        ForEachRowChunk(rows, cols, 1f, 0, static (start, end, cols, _, _, y, x, _, _) =>
        {
            for (int r = start; r < end; r++)
            {
                LogForwardRow(y.Slice(r * cols, cols), x.Slice(r * cols, cols));
            }
        }, logProbs, logits, default, default);
    }

    /// <summary>dLogits += dLogProbs − exp(logProbs)·Σ_j dLogProbs_j per row. Adds.</summary>
    /// <param name="dLogits">(rows, cols); accumulated into.</param>
    /// <param name="dLogProbs">(rows, cols).</param>
    /// <param name="logProbs">(rows, cols): the forward output.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of classes.</param>
    public static void LogBackward(Span<float> dLogits, ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> logProbs, int rows, int cols)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.NonNegative(cols, nameof(cols));
        long size = (long)rows * cols;
        KernelGuard.Length(dLogits.Length, size, nameof(dLogits));
        KernelGuard.Length(dLogProbs.Length, size, nameof(dLogProbs));
        KernelGuard.Length(logProbs.Length, size, nameof(logProbs));
        ForEachRowChunk(rows, cols, 1f, 0, static (start, end, cols, _, _, d, g, y, _) =>
        {
            for (int r = start; r < end; r++)
            {
                LogBackwardRow(d.Slice(r * cols, cols), g.Slice(r * cols, cols), y.Slice(r * cols, cols));
            }
        }, dLogits, dLogProbs, logProbs, default);
    }

    /// <summary>One row of <see cref="LogBackward"/>: dx += dy − exp(y)·Σdy (exp by <see cref="FastExp"/>). Adds.</summary>
    /// <param name="dLogits">Length cols; accumulated into.</param>
    /// <param name="dLogProbs">Length cols.</param>
    /// <param name="logProbs">Length cols: the forward output.</param>
    internal static void LogBackwardRow(Span<float> dLogits, ReadOnlySpan<float> dLogProbs, ReadOnlySpan<float> logProbs)
    {
        int n = logProbs.Length;
        float total = TensorPrimitives.Sum(dLogProbs[..n]);
        ref float d = ref MemoryMarshal.GetReference(dLogits);
        ref float g = ref MemoryMarshal.GetReference(dLogProbs);
        ref float y = ref MemoryMarshal.GetReference(logProbs);
        int j = 0;
        // d += dy − e·total, as (d + dy) − e·total with one fused step; e = exp(y) through FastExp (y ≤ 0).
        if (Vector512.IsHardwareAccelerated)
        {
            var t = Vector512.Create(-total);
            for (; j <= n - 16; j += 16)
            {
                var e = FastExp.NonPositive(Vector512.LoadUnsafe(ref y, (nuint)j));
                Vector512.FusedMultiplyAdd(e, t, Vector512.LoadUnsafe(ref d, (nuint)j) + Vector512.LoadUnsafe(ref g, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(-total);
            for (; j <= n - 8; j += 8)
            {
                var e = FastExp.NonPositive(Vector256.LoadUnsafe(ref y, (nuint)j));
                Vector256.FusedMultiplyAdd(e, t, Vector256.LoadUnsafe(ref d, (nuint)j) + Vector256.LoadUnsafe(ref g, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            float e = FastExp.NonPositive(Unsafe.Add(ref y, j));
            Unsafe.Add(ref d, j) = MathF.FusedMultiplyAdd(e, -total, Unsafe.Add(ref d, j) + Unsafe.Add(ref g, j));
        }
    }

    /// <summary>One row of <see cref="Forward"/>; <paramref name="probs"/> may alias <paramref name="scores"/>.</summary>
    /// <param name="probs">Length cols.</param>
    /// <param name="scores">Length cols.</param>
    /// <param name="additiveMask">Empty or length cols.</param>
    /// <param name="scale">Score multiplier.</param>
    public static void ForwardRow(Span<float> probs, ReadOnlySpan<float> scores, ReadOnlySpan<float> additiveMask, float scale) =>
        ForwardRow(probs, scores, additiveMask, scale, out _, out _);

    /// <summary>One row of <see cref="Forward"/>, also returning the row maximum and the Σ exp(z − max) it normalized by.</summary>
    /// <param name="probs">Length ≥ cols (cols = scores.Length); may alias <paramref name="scores"/> exactly.</param>
    /// <param name="scores">One row of cols scores.</param>
    /// <param name="additiveMask">Empty or length ≥ cols.</param>
    /// <param name="scale">Score multiplier.</param>
    /// <param name="max">Maximum of the scaled, masked scores.</param>
    /// <param name="sum">Σ exp(z − max).</param>
    internal static void ForwardRow(Span<float> probs, ReadOnlySpan<float> scores, ReadOnlySpan<float> additiveMask, float scale, out float max, out float sum)
    {
        int n = scores.Length;
        if (n == 0)
        {
            max = float.NegativeInfinity;
            sum = 0f;
            return;
        }

        sum = ExpRow(probs, scores, additiveMask, scale, out max);

        // Pass 3: normalize by multiplying with 1/Σ (within one rounding of dividing).
        TensorPrimitives.Multiply(probs[..n], 1f / sum, probs[..n]);
    }

    /// <summary>
    /// The first two passes of <see cref="ForwardRow(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>:
    /// probs[j] = exp(z_j − max z) with z = scores·scale (+ mask), unnormalized; returns Σ_j probs[j] (for callers that
    /// fold the normalization into a later product, as the tiled attention does).
    /// </summary>
    /// <param name="probs">Length ≥ cols (cols = scores.Length); may alias <paramref name="scores"/> exactly.</param>
    /// <param name="scores">One row of cols ≥ 1 scores.</param>
    /// <param name="additiveMask">Empty or length ≥ cols.</param>
    /// <param name="scale">Score multiplier.</param>
    /// <param name="max">Maximum of the scaled, masked scores.</param>
    internal static float ExpRow(Span<float> probs, ReadOnlySpan<float> scores, ReadOnlySpan<float> additiveMask, float scale, out float max)
    {
        int n = scores.Length;
        probs = probs[..n];
        bool masked = !additiveMask.IsEmpty;
        ref float s = ref MemoryMarshal.GetReference(scores);
        ref float p = ref MemoryMarshal.GetReference(probs);
        ref float m = ref MemoryMarshal.GetReference(additiveMask);

        // Pass 1: z = s·scale (+ mask), two roundings as torch; the row maximum.
        float mx = float.NegativeInfinity;
        int j = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var vScale = Vector512.Create(scale);
            var vMax = Vector512.Create(float.NegativeInfinity);
            for (; j <= n - 16; j += 16)
            {
                var z = Vector512.LoadUnsafe(ref s, (nuint)j) * vScale;
                if (masked) z += Vector512.LoadUnsafe(ref m, (nuint)j);
                z.StoreUnsafe(ref p, (nuint)j);
                vMax = Vector512.Max(vMax, z);
            }

            mx = MaxAcross(Vector256.Max(vMax.GetLower(), vMax.GetUpper()));
        }

        if (Vector256.IsHardwareAccelerated && j <= n - 8)
        {
            var vScale = Vector256.Create(scale);
            var vMax = Vector256.Create(mx);
            for (; j <= n - 8; j += 8)
            {
                var z = Vector256.LoadUnsafe(ref s, (nuint)j) * vScale;
                if (masked) z += Vector256.LoadUnsafe(ref m, (nuint)j);
                z.StoreUnsafe(ref p, (nuint)j);
                vMax = Vector256.Max(vMax, z);
            }

            mx = MaxAcross(vMax);
        }

        for (; j < n; j++)
        {
            float z = Unsafe.Add(ref s, j) * scale;
            if (masked) z += Unsafe.Add(ref m, j);
            Unsafe.Add(ref p, j) = z;
            mx = MathF.Max(mx, z);
        }

        // Pass 2: e = exp(z − max) (FastExp, the same value on every path), and its sum.
        float total = 0f;
        j = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var vMax = Vector512.Create(mx);
            var vSum = Vector512<float>.Zero;
            for (; j <= n - 16; j += 16)
            {
                var e = FastExp.NonPositive(Vector512.LoadUnsafe(ref p, (nuint)j) - vMax);
                e.StoreUnsafe(ref p, (nuint)j);
                vSum += e;
            }

            total = Vector512.Sum(vSum);
        }

        if (Vector256.IsHardwareAccelerated && j <= n - 8)
        {
            var vMax = Vector256.Create(mx);
            var vSum = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8)
            {
                var e = FastExp.NonPositive(Vector256.LoadUnsafe(ref p, (nuint)j) - vMax);
                e.StoreUnsafe(ref p, (nuint)j);
                vSum += e;
            }

            total += Vector256.Sum(vSum);
        }

        for (; j < n; j++)
        {
            float e = FastExp.NonPositive(Unsafe.Add(ref p, j) - mx);
            Unsafe.Add(ref p, j) = e;
            total += e;
        }

        max = mx;
        return total;
    }

    /// <summary>Largest lane (NaN if any lane is NaN).</summary>
    private static float MaxAcross(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        return MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));
    }

    /// <summary>Scalar specification of <see cref="ForwardRow(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>.</summary>
    /// <param name="probs">Length ≥ cols (cols = scores.Length); may alias <paramref name="scores"/> exactly.</param>
    /// <param name="scores">One row of cols scores.</param>
    /// <param name="additiveMask">Empty or length ≥ cols.</param>
    /// <param name="scale">Score multiplier.</param>
    /// <param name="max">Maximum of the scaled, masked scores.</param>
    /// <param name="sum">Σ exp(z − max).</param>
    internal static void ForwardRowScalar(Span<float> probs, ReadOnlySpan<float> scores, ReadOnlySpan<float> additiveMask, float scale, out float max, out float sum)
    {
        int n = scores.Length;
        max = float.NegativeInfinity;
        for (int j = 0; j < n; j++)
        {
            float z = scores[j] * scale;
            if (!additiveMask.IsEmpty)
            {
                z += additiveMask[j];
            }

            probs[j] = z;
            max = MathF.Max(max, z);
        }

        sum = 0f;
        for (int j = 0; j < n; j++)
        {
            float e = MathF.Exp(probs[j] - max);
            probs[j] = e;
            sum += e;
        }

        for (int j = 0; j < n; j++)
        {
            probs[j] /= sum;
        }
    }

    /// <summary>One row of <see cref="Backward"/> (adds).</summary>
    /// <param name="dScores">Length cols; accumulated into.</param>
    /// <param name="dProbs">Length cols.</param>
    /// <param name="probs">Length cols.</param>
    /// <param name="scale">Forward score scale.</param>
    public static void BackwardRow(Span<float> dScores, ReadOnlySpan<float> dProbs, ReadOnlySpan<float> probs, float scale)
    {
        int n = probs.Length;
        float dot = TensorPrimitives.Dot(dProbs[..n], probs);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float d = ref MemoryMarshal.GetReference(dScores);
            ref float g = ref MemoryMarshal.GetReference(dProbs);
            ref float p = ref MemoryMarshal.GetReference(probs);
            var vDot = Vector256.Create(dot);
            var vScale = Vector256.Create(scale);
            for (; j <= n - 8; j += 8)
            {
                var pv = Vector256.LoadUnsafe(ref p, (nuint)j);
                var term = (Vector256.LoadUnsafe(ref g, (nuint)j) - vDot) * pv;
                Vector256.FusedMultiplyAdd(vScale, term, Vector256.LoadUnsafe(ref d, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            dScores[j] = MathF.FusedMultiplyAdd(scale, (dProbs[j] - dot) * probs[j], dScores[j]);
        }
    }

    /// <summary>One log-softmax row; <paramref name="logProbs"/> may alias <paramref name="logits"/>.</summary>
    /// <param name="logProbs">Length ≥ cols (cols = logits.Length).</param>
    /// <param name="logits">One row of cols logits.</param>
    internal static void LogForwardRow(Span<float> logProbs, ReadOnlySpan<float> logits)
    {
        int n = logits.Length;
        if (n == 0)
        {
            return;
        }

        float max = TensorPrimitives.Max(logits);
        float sum = 0f;
        ref float x = ref MemoryMarshal.GetReference(logits);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; j <= n - 16; j += 16) acc += FastExp.NonPositive(Vector512.LoadUnsafe(ref x, (nuint)j) - m);
            sum = Vector512.Sum(acc);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8) acc += FastExp.NonPositive(Vector256.LoadUnsafe(ref x, (nuint)j) - m);
            sum += Vector256.Sum(acc);
        }

        for (; j < n; j++) sum += FastExp.NonPositive(Unsafe.Add(ref x, j) - max);

        float logSum = MathF.Log(sum);
        TensorPrimitives.Subtract(logits, max, logProbs[..n]);
        TensorPrimitives.Subtract(logProbs[..n], logSum, logProbs[..n]);
    }

    /// <summary>Validates a mask length; returns true when it holds one row per score row.</summary>
    private static bool CheckMask(ReadOnlySpan<float> mask, int rows, int cols)
    {
        if (mask.IsEmpty)
        {
            return false;
        }

        if (mask.Length == cols && rows <= 1)
        {
            return false;
        }

        if (mask.Length >= (long)rows * cols)
        {
            return true;
        }

        KernelGuard.Length(mask.Length, cols, "additiveMask");
        return false;
    }

    private delegate void RowChunk(int start, int end, int cols, float scale, int flag, Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d);

    /// <summary>
    /// Runs <paramref name="body"/> over row ranges: inline when small (no allocation: callers pass static lambdas and
    /// their state as arguments), otherwise in parallel chunks.
    /// </summary>
    private static unsafe void ForEachRowChunk(int rows, int cols, float scale, int flag, RowChunk body, Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d)
    {
        int rowsPerChunk = Math.Max(1, RowsWorkChunk / Math.Max(1, cols));
        int chunks = KernelParallel.ChunkCount(rows, rowsPerChunk);
        if (!KernelParallel.ShouldParallelize((long)rows * cols * 8, chunks))
        {
            body(0, rows, cols, scale, flag, a, b, c, d);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pd = d)
        {
            nint na = (nint)pa, nb = (nint)pb, nc = (nint)pc, nd = (nint)pd;
            int la = a.Length, lb = b.Length, lc = c.Length, ld = d.Length;
            KernelParallel.For(chunks, chunk =>
            {
                int start = chunk * rowsPerChunk;
                int end = Math.Min(rows, start + rowsPerChunk);
                body(start, end, cols, scale, flag, new Span<float>((void*)na, la), new ReadOnlySpan<float>((void*)nb, lb),
                    new ReadOnlySpan<float>((void*)nc, lc), new ReadOnlySpan<float>((void*)nd, ld));
            });
        }
    }
}
