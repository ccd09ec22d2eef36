using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Softmax cross-entropy over rows of logits, as torch.nn.CrossEntropyLoss(reduction='mean', ignore_index=−100):
/// loss_r = −log_softmax(logits_r)[target_r] = log Σ_j exp(x_j − max) − (x_target − max), rows whose target equals
/// ignoreIndex contribute nothing, and the reduction is the mean over the remaining rows (NaN when none remain, as torch).
/// </summary>
internal static class CrossEntropy
{
    private const int RowsWorkChunk = 1 << 15;

    /// <summary>
    /// Computes per-row losses and the softmax probabilities (saved for <see cref="Backward"/>); returns the mean loss
    /// over non-ignored rows (NaN when <paramref name="count"/> is 0).
    /// </summary>
    /// <param name="losses">Length rows: loss of each row, 0 for ignored rows.</param>
    /// <param name="probs">(rows, classes) row-major: softmax of each row (also written for ignored rows).</param>
    /// <param name="logits">(rows, classes) row-major.</param>
    /// <param name="targets">Length rows: class index in [0, classes) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="classes">Number of classes (≥ 1).</param>
    /// <param name="count">Number of non-ignored rows.</param>
    /// <param name="ignoreIndex">Target value that marks a row to ignore (torch default −100).</param>
    /// <exception cref="ArgumentOutOfRangeException">A target is neither in range nor <paramref name="ignoreIndex"/>.</exception>
    public static unsafe float Forward(Span<float> losses, Span<float> probs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets,
        int rows, int classes, out int count, int ignoreIndex = -100)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.Positive(classes, nameof(classes));
        long size = (long)rows * classes;
        KernelGuard.Length(logits.Length, size, nameof(logits));
        KernelGuard.Length(probs.Length, size, nameof(probs));
        KernelGuard.Length(losses.Length, rows, nameof(losses));
        KernelGuard.Length(targets.Length, rows, nameof(targets));
        count = CheckTargets(targets[..rows], classes, ignoreIndex);

        int rowsPerChunk = Math.Max(1, RowsWorkChunk / classes);
        int chunks = KernelParallel.ChunkCount(rows, rowsPerChunk);
        if (!KernelParallel.ShouldParallelize(size * 8, chunks))
        {
            ForwardRows(losses, probs, logits, targets, 0, rows, classes, ignoreIndex);
        }
        else
        {
            fixed (float* pl = losses)
            fixed (float* pp = probs)
            fixed (float* px = logits)
            fixed (int* pt = targets)
            {
                nint nl = (nint)pl, np = (nint)pp, nx = (nint)px, nt = (nint)pt;
                KernelParallel.For(chunks, c =>
                {
                    int start = c * rowsPerChunk;
                    int end = Math.Min(rows, start + rowsPerChunk);
                    ForwardRows(new Span<float>((void*)nl, rows), new Span<float>((void*)np, (int)size), new ReadOnlySpan<float>((void*)nx, (int)size),
                        new ReadOnlySpan<int>((void*)nt, rows), start, end, classes, ignoreIndex);
                });
            }
        }

        // Mean in double over rows in order: deterministic and independent of the chunking above.
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            total += losses[r];
        }

        return count == 0 ? float.NaN : (float)(total / count);
    }

    /// <summary>
    /// dLogits[r, :] += dLoss·(probs[r, :] − onehot(target_r)) for every non-ignored row r. Adds.
    /// <paramref name="dLoss"/> is the gradient applied to each row's loss: for the mean loss returned by
    /// <see cref="Forward"/>, pass (upstream gradient)/count — the kernel does NOT divide by the count itself.
    /// </summary>
    /// <param name="dLogits">(rows, classes); accumulated into. Ignored rows are left untouched.</param>
    /// <param name="probs">(rows, classes): softmax saved by <see cref="Forward"/>.</param>
    /// <param name="targets">Length rows, as in <see cref="Forward"/>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="dLoss">Per-row loss gradient (1/count for d(mean)/d(logits)).</param>
    /// <param name="ignoreIndex">Target value that marks a row to ignore.</param>
    public static unsafe void Backward(Span<float> dLogits, ReadOnlySpan<float> probs, ReadOnlySpan<int> targets, int rows, int classes, float dLoss, int ignoreIndex = -100)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.Positive(classes, nameof(classes));
        long size = (long)rows * classes;
        KernelGuard.Length(dLogits.Length, size, nameof(dLogits));
        KernelGuard.Length(probs.Length, size, nameof(probs));
        KernelGuard.Length(targets.Length, rows, nameof(targets));
        CheckTargets(targets[..rows], classes, ignoreIndex);

        int rowsPerChunk = Math.Max(1, RowsWorkChunk / classes);
        int chunks = KernelParallel.ChunkCount(rows, rowsPerChunk);
        if (!KernelParallel.ShouldParallelize(size * 2, chunks))
        {
            BackwardRows(dLogits, probs, targets, 0, rows, classes, dLoss, ignoreIndex);
            return;
        }

        fixed (float* pd = dLogits)
        fixed (float* pp = probs)
        fixed (int* pt = targets)
        {
            nint nd = (nint)pd, np = (nint)pp, nt = (nint)pt;
            KernelParallel.For(chunks, c =>
            {
                int start = c * rowsPerChunk;
                int end = Math.Min(rows, start + rowsPerChunk);
                BackwardRows(new Span<float>((void*)nd, (int)size), new ReadOnlySpan<float>((void*)np, (int)size), new ReadOnlySpan<int>((void*)nt, rows),
                    start, end, classes, dLoss, ignoreIndex);
            });
        }
    }

    /// <summary>Scalar specification of one row's loss: log Σ exp(x − max) − (x_t − max), computed in float.</summary>
    /// <param name="probs">Length classes (classes = logits.Length): receives the row's softmax.</param>
    /// <param name="logits">One row of classes logits.</param>
    /// <param name="target">Class index in [0, classes).</param>
    internal static float RowLossScalar(Span<float> probs, ReadOnlySpan<float> logits, int target)
    {
        Softmax.ForwardRowScalar(probs, logits, default, 1f, out float max, out float sum);
        return MathF.Log(sum) - (logits[target] - max);
    }

    private static void ForwardRows(Span<float> losses, Span<float> probs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets,
        int start, int end, int classes, int ignoreIndex)
    {
        for (int r = start; r < end; r++)
        {
            var x = logits.Slice(r * classes, classes);
            Softmax.ForwardRow(probs.Slice(r * classes, classes), x, default, 1f, out float max, out float sum);
            int t = targets[r];
            losses[r] = t == ignoreIndex ? 0f : MathF.Log(sum) - (x[t] - max);
        }
    }

    private static void BackwardRows(Span<float> dLogits, ReadOnlySpan<float> probs, ReadOnlySpan<int> targets, int start, int end, int classes, float dLoss, int ignoreIndex)
    {
        for (int r = start; r < end; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex)
            {
                continue;
            }

            var d = dLogits.Slice(r * classes, classes);
            var p = probs.Slice(r * classes, classes);
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float dr = ref MemoryMarshal.GetReference(d);
                ref float pr = ref MemoryMarshal.GetReference(p);
                var g = Vector256.Create(dLoss);
                for (; j <= classes - 8; j += 8)
                {
                    Vector256.FusedMultiplyAdd(g, Vector256.LoadUnsafe(ref pr, (nuint)j), Vector256.LoadUnsafe(ref dr, (nuint)j)).StoreUnsafe(ref dr, (nuint)j);
                }
            }

            for (; j < classes; j++)
            {
                d[j] = MathF.FusedMultiplyAdd(dLoss, p[j], d[j]);
            }

            d[t] -= dLoss;
        }
    }

    /// <summary>Validates every target; returns the number of non-ignored rows.</summary>
    private static int CheckTargets(ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        int count = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex)
            {
                continue;
            }

            if ((uint)t >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), t,
                    $"Target {t} at row {r} is outside [0, {classes}) and is not the ignore index {ignoreIndex}.");
            }

            count++;
        }

        return count;
    }
}
