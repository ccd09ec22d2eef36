using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Layer normalization over the last axis, as torch.nn.LayerNorm (used by HF BertLayer/BertEmbeddings):
/// y = (x − mean)·rstd·weight + bias with rstd = 1/√(var + eps), var the biased (÷hidden) variance, eps inside the root
/// (BERT's layer_norm_eps = 1e-12 comes from the config).
/// <para>
/// Mean and variance are accumulated in double, two-pass (mean first, then Σ(x − mean)²), so they are exact to float
/// precision whatever the offset of the row; x − mean uses the mean split into two floats so a large common offset
/// does not cost relative accuracy in y.
/// </para>
/// </summary>
internal static class LayerNorm
{
    /// <summary>Rows per chunk for the deterministic weight/bias-gradient partial sums.</summary>
    internal const int BackwardChunkRows = 32;

    /// <summary>Row-normalizes <paramref name="input"/>; saves the row means and reciprocal standard deviations.</summary>
    /// <param name="output">(rows, hidden) row-major; may alias <paramref name="input"/> exactly.</param>
    /// <param name="mean">Length rows: row means (saved for backward).</param>
    /// <param name="rstd">Length rows: 1/√(var + eps) per row (saved for backward).</param>
    /// <param name="input">(rows, hidden) row-major.</param>
    /// <param name="weight">Length hidden (gamma).</param>
    /// <param name="bias">Length hidden (beta).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="hidden">Normalized size (≥ 1).</param>
    /// <param name="eps">Added to the variance inside the square root.</param>
    public static unsafe void Forward(Span<float> output, Span<float> mean, Span<float> rstd, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int hidden, float eps)
    {
        CheckShapes(rows, hidden, input.Length, weight.Length, nameof(input), nameof(weight));
        KernelGuard.Length(output.Length, (long)rows * hidden, nameof(output));
        KernelGuard.Length(mean.Length, rows, nameof(mean));
        KernelGuard.Length(rstd.Length, rows, nameof(rstd));
        KernelGuard.Length(bias.Length, hidden, nameof(bias));

        int rowsPerChunk = Math.Max(1, 8192 / hidden);
        int chunks = KernelParallel.ChunkCount(rows, rowsPerChunk);
        if (!KernelParallel.ShouldParallelize((long)rows * hidden * 4, chunks))
        {
            for (int r = 0; r < rows; r++)
            {
                ForwardRow(output.Slice(r * hidden, hidden), out mean[r], out rstd[r], input.Slice(r * hidden, hidden), weight, bias, eps);
            }

            return;
        }

        fixed (float* po = output)
        fixed (float* pm = mean)
        fixed (float* ps = rstd)
        fixed (float* px = input)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        {
            float* o = po, m = pm, s = ps, x = px, w = pw, b = pb;
            KernelParallel.For(chunks, c =>
            {
                int end = Math.Min(rows, (c + 1) * rowsPerChunk);
                for (int r = c * rowsPerChunk; r < end; r++)
                {
                    long offset = (long)r * hidden;
                    ForwardRow(new Span<float>(o + offset, hidden), out m[r], out s[r], new ReadOnlySpan<float>(x + offset, hidden),
                        new ReadOnlySpan<float>(w, hidden), new ReadOnlySpan<float>(b, hidden), eps);
                }
            });
        }
    }

    /// <summary>
    /// Adds the gradients of <see cref="Forward"/>: with x̂ = (x − mean)·rstd and g = dy ⊙ weight,
    /// dInput += rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)), dWeight += Σ_rows dy ⊙ x̂, dBias += Σ_rows dy.
    /// The row sums for dWeight/dBias are formed per fixed chunk of <see cref="BackwardChunkRows"/> rows and the chunk
    /// partials are added in chunk order, so the result is bit-identical for any thread count.
    /// </summary>
    /// <param name="dInput">(rows, hidden); accumulated into.</param>
    /// <param name="dWeight">Length hidden; accumulated into.</param>
    /// <param name="dBias">Length hidden; accumulated into.</param>
    /// <param name="dOutput">(rows, hidden).</param>
    /// <param name="input">(rows, hidden): the forward input.</param>
    /// <param name="weight">Length hidden.</param>
    /// <param name="mean">Length rows, from <see cref="Forward"/>.</param>
    /// <param name="rstd">Length rows, from <see cref="Forward"/>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="hidden">Normalized size.</param>
    public static unsafe void Backward(Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int rows, int hidden)
    {
        CheckShapes(rows, hidden, input.Length, weight.Length, nameof(input), nameof(weight));
        long size = (long)rows * hidden;
        KernelGuard.Length(dInput.Length, size, nameof(dInput));
        KernelGuard.Length(dOutput.Length, size, nameof(dOutput));
        KernelGuard.Length(dWeight.Length, hidden, nameof(dWeight));
        KernelGuard.Length(dBias.Length, hidden, nameof(dBias));
        KernelGuard.Length(mean.Length, rows, nameof(mean));
        KernelGuard.Length(rstd.Length, rows, nameof(rstd));

        int chunks = KernelParallel.ChunkCount(rows, BackwardChunkRows);
        // Per chunk: hidden partials for dWeight then hidden for dBias.
        float[] partials = ArrayPool<float>.Shared.Rent(Math.Max(1, chunks * 2 * hidden));
        try
        {
            Array.Clear(partials, 0, chunks * 2 * hidden);
            if (!KernelParallel.ShouldParallelize(size * 8, chunks))
            {
                for (int c = 0; c < chunks; c++)
                {
                    BackwardChunk(c, dInput, partials, dOutput, input, weight, mean, rstd, rows, hidden);
                }
            }
            else
            {
                fixed (float* pdx = dInput)
                fixed (float* pdy = dOutput)
                fixed (float* px = input)
                fixed (float* pw = weight)
                fixed (float* pm = mean)
                fixed (float* ps = rstd)
                {
                    float* dx = pdx, dy = pdy, x = px, w = pw, m = pm, s = ps;
                    KernelParallel.For(chunks, c => BackwardChunk(c, new Span<float>(dx, (int)size), partials, new ReadOnlySpan<float>(dy, (int)size),
                        new ReadOnlySpan<float>(x, (int)size), new ReadOnlySpan<float>(w, hidden), new ReadOnlySpan<float>(m, rows),
                        new ReadOnlySpan<float>(s, rows), rows, hidden));
                }
            }

            for (int c = 0; c < chunks; c++)
            {
                var part = partials.AsSpan(c * 2 * hidden, 2 * hidden);
                System.Numerics.Tensors.TensorPrimitives.Add(dWeight[..hidden], part[..hidden], dWeight[..hidden]);
                System.Numerics.Tensors.TensorPrimitives.Add(dBias[..hidden], part[hidden..], dBias[..hidden]);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>Scalar specification of one forward row (same double two-pass statistics).</summary>
    /// <param name="output">Length hidden (hidden = input.Length).</param>
    /// <param name="mean">Row mean (rounded to float).</param>
    /// <param name="rstd">1/√(var + eps) (rounded to float).</param>
    /// <param name="input">One row of hidden values.</param>
    /// <param name="weight">Length hidden.</param>
    /// <param name="bias">Length hidden.</param>
    /// <param name="eps">Variance epsilon.</param>
    internal static void ForwardRowScalar(Span<float> output, out float mean, out float rstd, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps)
    {
        int n = input.Length;
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            sum += input[j];
        }

        double mu = sum / n;
        double sq = 0;
        for (int j = 0; j < n; j++)
        {
            double d = input[j] - mu;
            sq += d * d;
        }

        double r = 1.0 / Math.Sqrt(sq / n + eps);
        float meanHi = (float)mu;
        float meanLo = (float)(mu - meanHi);
        float rs = (float)r;
        for (int j = 0; j < n; j++)
        {
            float xhat = (input[j] - meanHi - meanLo) * rs;
            output[j] = MathF.FusedMultiplyAdd(xhat, weight[j], bias[j]);
        }

        mean = meanHi;
        rstd = rs;
    }

    /// <summary>Scalar specification of one backward row: adds into dInput and into the dWeight/dBias partial rows.</summary>
    /// <param name="dInput">Length hidden (hidden = input.Length); accumulated into.</param>
    /// <param name="dWeight">Length hidden; accumulated into.</param>
    /// <param name="dBias">Length hidden; accumulated into.</param>
    /// <param name="dOutput">Length hidden.</param>
    /// <param name="input">One row of hidden values.</param>
    /// <param name="weight">Length hidden.</param>
    /// <param name="mean">The row's saved mean.</param>
    /// <param name="rstd">The row's saved 1/√(var + eps).</param>
    internal static void BackwardRowScalar(Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float mean, float rstd)
    {
        int n = input.Length;
        float sumG = 0f, sumGx = 0f;
        for (int j = 0; j < n; j++)
        {
            float xhat = (input[j] - mean) * rstd;
            float g = dOutput[j] * weight[j];
            sumG += g;
            sumGx += g * xhat;
        }

        float meanG = sumG / n;
        float meanGx = sumGx / n;
        for (int j = 0; j < n; j++)
        {
            float xhat = (input[j] - mean) * rstd;
            float g = dOutput[j] * weight[j];
            dInput[j] += rstd * (g - meanG - xhat * meanGx);
            dWeight[j] += dOutput[j] * xhat;
            dBias[j] += dOutput[j];
        }
    }

    private static void CheckShapes(int rows, int hidden, int inputLength, int weightLength, string inputName, string weightName)
    {
        KernelGuard.NonNegative(rows, nameof(rows));
        KernelGuard.Positive(hidden, nameof(hidden));
        KernelGuard.Length(inputLength, (long)rows * hidden, inputName);
        KernelGuard.Length(weightLength, hidden, weightName);
    }

    private static void BackwardChunk(int chunk, Span<float> dInput, float[] partials, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int rows, int hidden)
    {
        var dW = partials.AsSpan(chunk * 2 * hidden, hidden);
        var dB = partials.AsSpan((chunk * 2 * hidden) + hidden, hidden);
        int end = Math.Min(rows, (chunk + 1) * BackwardChunkRows);
        for (int r = chunk * BackwardChunkRows; r < end; r++)
        {
            int o = r * hidden;
            BackwardRow(dInput.Slice(o, hidden), dW, dB, dOutput.Slice(o, hidden), input.Slice(o, hidden), weight, mean[r], rstd[r]);
        }
    }

    /// <summary>
    /// Fused residual + LayerNorm on rows [first, first + count) on the calling thread (for GEMM row-block epilogues):
    /// residual[r] += input[r], then output[r] = LayerNorm(residual[r]) saving mean/rstd, with the same arithmetic as
    /// <c>TensorPrimitives.Add</c> followed by <see cref="Forward"/>, so results are identical to the unfused pair.
    /// </summary>
    internal static void AddForwardRows(Span<float> output, Span<float> mean, Span<float> rstd, Span<float> residual, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int first, int count, int hidden, float eps)
    {
        for (int r = first; r < first + count; r++)
        {
            var row = residual.Slice(r * hidden, hidden);
            System.Numerics.Tensors.TensorPrimitives.Add(row, input.Slice(r * hidden, hidden), row);
            ForwardRow(output.Slice(r * hidden, hidden), out mean[r], out rstd[r], row, weight, bias, eps);
        }
    }

    /// <summary>SIMD forward row: double statistics from widened float vectors, float normalization with FMA.</summary>
    private static void ForwardRow(Span<float> output, out float mean, out float rstd, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps)
    {
        int n = input.Length;
        if (!Vector256.IsHardwareAccelerated || n < 8)
        {
            ForwardRowScalar(output, out mean, out rstd, input, weight, bias, eps);
            return;
        }

        ref float x = ref MemoryMarshal.GetReference(input);
        var acc = Vector256<double>.Zero;
        int j = 0;
        for (; j <= n - 8; j += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)j));
            acc += lo + hi;
        }

        double sum = Vector256.Sum(acc);
        for (; j < n; j++)
        {
            sum += input[j];
        }

        double mu = sum / n;
        var vMu = Vector256.Create(mu);
        acc = Vector256<double>.Zero;
        j = 0;
        for (; j <= n - 8; j += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)j));
            lo -= vMu;
            hi -= vMu;
            acc = Vector256.FusedMultiplyAdd(lo, lo, acc);
            acc = Vector256.FusedMultiplyAdd(hi, hi, acc);
        }

        double sq = Vector256.Sum(acc);
        for (; j < n; j++)
        {
            double d = input[j] - mu;
            sq += d * d;
        }

        double r = 1.0 / Math.Sqrt(sq / n + eps);
        float meanHi = (float)mu;
        float meanLo = (float)(mu - meanHi);
        float rs = (float)r;
        ref float w = ref MemoryMarshal.GetReference(weight);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float y = ref MemoryMarshal.GetReference(output);
        var vHi = Vector256.Create(meanHi);
        var vLo = Vector256.Create(meanLo);
        var vR = Vector256.Create(rs);
        j = 0;
        for (; j <= n - 8; j += 8)
        {
            var xhat = (Vector256.LoadUnsafe(ref x, (nuint)j) - vHi - vLo) * vR;
            Vector256.FusedMultiplyAdd(xhat, Vector256.LoadUnsafe(ref w, (nuint)j), Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }

        for (; j < n; j++)
        {
            float xhat = (input[j] - meanHi - meanLo) * rs;
            output[j] = MathF.FusedMultiplyAdd(xhat, weight[j], bias[j]);
        }

        mean = meanHi;
        rstd = rs;
    }

    /// <summary>SIMD backward row; same formulas as <see cref="BackwardRowScalar"/>.</summary>
    private static void BackwardRow(Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float mean, float rstd)
    {
        int n = input.Length;
        if (!Vector256.IsHardwareAccelerated || n < 8)
        {
            BackwardRowScalar(dInput, dWeight, dBias, dOutput, input, weight, mean, rstd);
            return;
        }

        ref float x = ref MemoryMarshal.GetReference(input);
        ref float dy = ref MemoryMarshal.GetReference(dOutput);
        ref float w = ref MemoryMarshal.GetReference(weight);
        var vMean = Vector256.Create(mean);
        var vR = Vector256.Create(rstd);
        var accG = Vector256<float>.Zero;
        var accGx = Vector256<float>.Zero;
        int j = 0;
        for (; j <= n - 8; j += 8)
        {
            var xhat = (Vector256.LoadUnsafe(ref x, (nuint)j) - vMean) * vR;
            var g = Vector256.LoadUnsafe(ref dy, (nuint)j) * Vector256.LoadUnsafe(ref w, (nuint)j);
            accG += g;
            accGx = Vector256.FusedMultiplyAdd(g, xhat, accGx);
        }

        float sumG = Vector256.Sum(accG), sumGx = Vector256.Sum(accGx);
        for (; j < n; j++)
        {
            float xhat = (input[j] - mean) * rstd;
            float g = dOutput[j] * weight[j];
            sumG += g;
            sumGx += g * xhat;
        }

        float meanG = sumG / n;
        float meanGx = sumGx / n;
        ref float dx = ref MemoryMarshal.GetReference(dInput);
        ref float dw = ref MemoryMarshal.GetReference(dWeight);
        ref float db = ref MemoryMarshal.GetReference(dBias);
        var vMeanG = Vector256.Create(meanG);
        var vMeanGx = Vector256.Create(meanGx);
        j = 0;
        for (; j <= n - 8; j += 8)
        {
            var xhat = (Vector256.LoadUnsafe(ref x, (nuint)j) - vMean) * vR;
            var dyv = Vector256.LoadUnsafe(ref dy, (nuint)j);
            var g = dyv * Vector256.LoadUnsafe(ref w, (nuint)j);
            var grad = vR * (g - vMeanG - (xhat * vMeanGx));
            (Vector256.LoadUnsafe(ref dx, (nuint)j) + grad).StoreUnsafe(ref dx, (nuint)j);
            Vector256.FusedMultiplyAdd(dyv, xhat, Vector256.LoadUnsafe(ref dw, (nuint)j)).StoreUnsafe(ref dw, (nuint)j);
            (Vector256.LoadUnsafe(ref db, (nuint)j) + dyv).StoreUnsafe(ref db, (nuint)j);
        }

        for (; j < n; j++)
        {
            float xhat = (input[j] - mean) * rstd;
            float g = dOutput[j] * weight[j];
            dInput[j] += rstd * (g - meanG - xhat * meanGx);
            dWeight[j] += dOutput[j] * xhat;
            dBias[j] += dOutput[j];
        }
    }
}
