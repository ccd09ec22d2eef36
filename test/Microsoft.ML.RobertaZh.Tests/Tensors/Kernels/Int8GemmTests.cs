using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class Int8GemmTests
{
    private static readonly Int8Kernel[] SupportedKernels =
        [.. new[] { Int8Kernel.Avx512Vnni, Int8Kernel.AvxVnni, Int8Kernel.Avx512BW, Int8Kernel.Avx2, Int8Kernel.Scalar }.Where(Int8Gemm.IsSupported)];

    /// <summary>
    /// The definition, written from the math with its own quantizer: per-row activation scale max|x|/127 and values
    /// round_even(x·127/max), per-channel weight scale max|w|/32 and values round_even(w·32/max), exact integer dot
    /// products, then float(Σ q_x·q_w) · (s_x·s_w) + bias. (Σ (q_x + 128)·q_w − 128·Σ q_w, what the kernels compute,
    /// is the same integer.) Also returns, per output, the rigorous bound on |int8 result − exact fp32 product| used by
    /// <see cref="StaysWithinTheQuantizationBoundOfTheFloatProduct"/>.
    /// </summary>
    private static (float[] Value, double[] Bound, double[] Exact) Reference(float[] x, float[] w, float[]? bias, int m, int n, int k)
    {
        var value = new float[m * n];
        var bound = new double[m * n];
        var exact = new double[m * n];
        var qw = new int[n * k];
        var sw = new float[n];
        for (int o = 0; o < n; o++)
        {
            float max = 0;
            for (int p = 0; p < k; p++) max = Math.Max(max, Math.Abs(w[o * k + p]));
            sw[o] = max / 32f;
            for (int p = 0; p < k; p++) qw[o * k + p] = max > 0 ? (int)MathF.Round(w[o * k + p] * (32f / max), MidpointRounding.ToEven) : 0;
        }
        for (int i = 0; i < m; i++)
        {
            float max = 0;
            for (int p = 0; p < k; p++) max = Math.Max(max, Math.Abs(x[i * k + p]));
            float sx = max / 127f;
            var qx = new int[k];
            for (int p = 0; p < k; p++) qx[p] = max > 0 ? (int)MathF.Round(x[i * k + p] * (127f / max), MidpointRounding.ToEven) : 0;
            for (int o = 0; o < n; o++)
            {
                int acc = 0;
                double e = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    acc += qx[p] * qw[o * k + p];
                    // x = s_x(q_x + ε_x), w = s_w(q_w + ε_w) with |ε| ≤ ½ (rounding to nearest, never clamped):
                    // x·w − s_x s_w q_x q_w = s_x s_w (q_x ε_w + ε_x q_w + ε_x ε_w).
                    e += (Math.Abs(qx[p]) + Math.Abs(qw[o * k + p]) + 0.5) / 2;
                    exact[i * n + o] += (double)x[i * k + p] * w[o * k + p];
                    abs += Math.Abs((double)x[i * k + p] * w[o * k + p]);
                }
                float v = (float)acc * (sx * sw[o]);
                value[i * n + o] = bias is null ? v : v + bias[o];
                if (bias is not null) exact[i * n + o] += bias[o];
                // Plus float rounding of the scales and the epilogue (a few ulps of the magnitudes involved).
                bound[i * n + o] = (double)sx * sw[o] * e * (1 + 1e-5) + 1e-6 * (abs + Math.Abs(bias?[o] ?? 0)) + 1e-30;
            }
        }
        return (value, bound, exact);
    }

    /// <summary>Random (m, k) inputs, (n, k) weights packed for the kernels and an n-long bias, from seeds seed, seed + 1, seed + 2.</summary>
    private static (float[] X, QuantizedWeights Q, float[] Bias) RandomProblem(int m, int n, int k, int seed) =>
        (ReferenceGemm.RandomFloats(m * k, seed), new QuantizedWeights(ReferenceGemm.RandomFloats(n * k, seed + 1), n, k), ReferenceGemm.RandomFloats(n, seed + 2));

    private static void CheckExact(int m, int n, int k, int seed, bool withBias)
    {
        float[] x = ReferenceGemm.RandomFloats(m * k, seed), w = ReferenceGemm.RandomFloats(n * k, seed + 1);
        float[]? bias = withBias ? ReferenceGemm.RandomFloats(n, seed + 2) : null;
        var (expected, _, _) = Reference(x, w, bias, m, n, k);
        using var qw = new QuantizedWeights(w, n, k);
        foreach (var kernel in SupportedKernels)
        {
            var y = new float[m * n];
            Int8Gemm.Forward(y, x, qw, bias, m, kernel: kernel);
            for (int i = 0; i < m * n; i++)
                Assert.True(expected[i] == y[i], $"{kernel} m={m} n={n} k={k}: y[{i}] = {y[i]}, reference {expected[i]}");
        }
    }

    [Fact]
    public void EveryKernelMatchesTheDefinitionBitForBitOnEveryDepth0To256()
    {
        // Every depth hits every tail of the 4-wide k groups and of the 16-wide quantizer; 7 rows (a partial 6-row
        // tile) and 33 channels (a partial 32-channel tile) hit the edge tiles.
        for (int k = 1; k <= 256; k++) CheckExact(7, 33, k, seed: k, withBias: (k & 1) == 0);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 17, 9)]
    [InlineData(6, 32, 64)]
    [InlineData(47, 31, 33)]
    [InlineData(49, 65, 130)]
    [InlineData(100, 96, 768)]
    [InlineData(131, 7, 3)]
    public void EveryKernelMatchesTheDefinitionOnOddShapes(int m, int n, int k)
    {
        CheckExact(m, n, k, seed: m + n + k, withBias: true);
    }

    [Fact]
    public void EveryRowCount0To100IsRight()
    {
        for (int m = 0; m <= 100; m++) CheckExact(m, 17, 37, seed: 1000 + m, withBias: m % 3 == 0);
    }

    [Fact]
    public void StaysWithinTheQuantizationBoundOfTheFloatProduct()
    {
        // Stated tolerance: |int8 − exact| ≤ s_x·s_w·Σ_k (|q_x| + |q_w| + ½)/2 (+ float rounding), per element;
        // on these Gaussian-like inputs that is about 1–2% of the output's typical magnitude.
        int m = 40, n = 50, k = 300;
        float[] x = ReferenceGemm.RandomFloats(m * k, 5), w = ReferenceGemm.RandomFloats(n * k, 6), bias = ReferenceGemm.RandomFloats(n, 7);
        var (_, bound, exact) = Reference(x, w, bias, m, n, k);
        using var qw = new QuantizedWeights(w, n, k);
        var y = new float[m * n];
        Int8Gemm.Forward(y, x, qw, bias, m);
        double worstUse = 0;
        for (int i = 0; i < m * n; i++)
        {
            double err = Math.Abs(y[i] - exact[i]);
            Assert.True(err <= bound[i], $"y[{i}] = {y[i]}, exact {exact[i]}, error {err} > bound {bound[i]}");
            worstUse = Math.Max(worstUse, err / bound[i]);
        }
        // The bound is not vacuous: the observed errors use a visible part of it.
        Assert.True(worstUse > 0.01, $"errors use at most {worstUse:P} of the bound");
    }

    [Fact]
    public void PacksPerChannelWeightsInMinus32To32()
    {
        float[] w = [1f, -2f, 0.5f, 0f, 0.25f, 0.1f, /* channel 1 */ 0f, 0f, 0f, 0f, 0f, 0f];
        using var q = new QuantizedWeights(w, 2, 6);
        Assert.Equal(8, q.PaddedIn);
        Assert.Equal(32, q.PaddedOut);
        Assert.Equal(2f / 32f, q.Scales[0]);
        // round_even(w·32/2): 16, −32, 8, 0, 4, 1.6 → 2; padding 0.
        Assert.Equal([16, -32, 8, 0, 4, 2, 0, 0], Enumerable.Range(0, 8).Select(p => q[0, p]).ToArray());
        Assert.Equal(128 * (16 - 32 + 8 + 4 + 2), q.Compensation[0]);
        Assert.Equal(0f, q.Scales[1]);
        Assert.All(Enumerable.Range(0, 6), p => Assert.Equal(0, q[1, p]));
    }

    [Fact]
    public void SixteenBitSumsOfTwoGroupsCannotOverflow()
    {
        // The AVX-512BW / AVX2 kernels add two vpmaddubsw results (4 products of an activation code and a weight) in
        // 16 bits: the largest magnitude must fit, and the extreme case must come out exact on every kernel.
        Assert.True(4 * Int8Gemm.MaxActivationCode * QuantizedWeights.MaxWeight <= short.MaxValue);
        Assert.Equal(255, Int8Gemm.MaxActivationCode);
        int m = 7, n = 33, k = 64;
        // Every row's maximum repeated (codes 255) against weights at ±max (±32), all of one sign per channel.
        var x = Enumerable.Repeat(3f, m * k).ToArray();
        var w = Enumerable.Range(0, n * k).Select(i => (i / k) % 2 == 0 ? 0.5f : -0.5f).ToArray();
        using var q = new QuantizedWeights(w, n, k);
        foreach (var kernel in SupportedKernels)
        {
            var y = new float[m * n];
            Int8Gemm.Forward(y, x, q, default, m, kernel: kernel);
            for (int i = 0; i < m * n; i++) Assert.Equal((i % n) % 2 == 0 ? 96f : -96f, y[i], 3);
        }
    }

    [Fact]
    public void ZeroRowsAndZeroWeightsGiveTheBias()
    {
        int m = 3, n = 4, k = 5;
        using var q = new QuantizedWeights(new float[n * k], n, k);
        var y = new float[m * n];
        float[] bias = [1f, 2f, 3f, 4f];
        Int8Gemm.Forward(y, new float[m * k], q, bias, m);
        Assert.Equal([1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f], y);
    }

    [Fact]
    public void FusedGeluEqualsTheUnfusedProductThenGeluBitForBitWithEveryKernel()
    {
        // The quick GELU applied to each dequantized vector before the store (16, 8 or 1 lanes, depending on the tile's
        // width) against the product followed by the scalar quick GELU: odd and full tiles, partial row tiles, bias or none.
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (13, 64, 19), (50, 31, 40), (97, 100, 129) })
        {
            float[] x = ReferenceGemm.RandomFloats(m * k, m + n), w = ReferenceGemm.RandomFloats(n * k, k);
            float[] bias = ReferenceGemm.RandomFloats(n, 3);
            using var q = new QuantizedWeights(w, n, k);
            foreach (var kernel in SupportedKernels)
            {
                foreach (var b in new[] { bias, null })
                {
                    var expected = new float[m * n];
                    Int8Gemm.Forward(expected, x, q, b, m, kernel: kernel);
                    for (int i = 0; i < expected.Length; i++) expected[i] = Gelu.ApplyQuick(expected[i]);
                    var fused = new float[m * n];
                    Int8Gemm.Forward(fused, x, q, b, m, kernel: kernel, gelu: true);
                    Assert.Equal(expected, fused);
                }
            }
        }
    }

    [Fact]
    public void EpilogueSeesEveryRowOnceAfterItIsWritten()
    {
        int m = 130, n = 20, k = 16;
        float[] x = ReferenceGemm.RandomFloats(m * k, 1), w = ReferenceGemm.RandomFloats(n * k, 2);
        using var q = new QuantizedWeights(w, n, k);
        var y = new float[m * n];
        var expected = new float[m * n];
        Int8Gemm.Forward(expected, x, q, default, m);
        var seen = new int[m];
        Int8Gemm.Forward(y, x, q, default, m, (first, count) =>
        {
            for (int r = first; r < first + count; r++)
            {
                Interlocked.Increment(ref seen[r]);
                Assert.Equal(expected.AsSpan(r * n, n).ToArray(), y.AsSpan(r * n, n).ToArray());
            }
        });
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Fact]
    public void ForwardBlockGivesTheRowsOfForwardBitForBitWithEveryKernel()
    {
        // The serial one-block entry point (used to chain layers per row block) against the parallel whole product,
        // on row windows at and off block boundaries, full and partial, with and without GELU.
        int m = 150, n = 70, k = 45;
        var (x, q, bias) = RandomProblem(m, n, k, 11);
        using var _ = q;
        foreach (var kernel in SupportedKernels)
        {
            foreach (bool gelu in new[] { false, true })
            {
                var expected = new float[m * n];
                Int8Gemm.Forward(expected, x, q, bias, m, kernel: kernel, gelu: gelu);
                foreach (var (first, rows) in new[] { (0, Int8Gemm.RowBlock), (48, 1), (5, 37), (m - 7, 7), (3, 0) })
                {
                    var y = new float[rows * n];
                    Int8Gemm.ForwardBlock(y, x.AsSpan(first * k, rows * k), q, bias, rows, kernel, gelu);
                    Assert.Equal(expected.AsSpan(first * n, rows * n).ToArray(), y);
                }
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Int8Gemm.ForwardBlock(new float[(Int8Gemm.RowBlock + 1) * n], new float[(Int8Gemm.RowBlock + 1) * k], q, bias, Int8Gemm.RowBlock + 1));
    }

    [Fact]
    public void AColumnRangeGivesThoseColumnsOfTheWholeProductAndLeavesTheOthers()
    {
        // Channels [first, first + count) only (the last layer's keys and values, or its queries): the bits of the whole
        // product in those columns with every kernel, the other columns untouched; ranges must start on a 32-channel tile.
        int m = 130, n = 100, k = 45;
        var (x, q, bias) = RandomProblem(m, n, k, 31);
        using var _ = q;
        foreach (var kernel in SupportedKernels)
        {
            var expected = new float[m * n];
            Int8Gemm.Forward(expected, x, q, bias, m, kernel: kernel);
            foreach (var (first, count) in new[] { (0, 32), (32, 68), (64, 36), (96, 4), (0, 100), (32, 0) })
            {
                var y = Enumerable.Repeat(-7f, m * n).ToArray();
                Int8Gemm.Forward(y, x, q, bias, m, kernel: kernel, firstColumn: first, columns: count);
                for (int r = 0; r < m; r++)
                {
                    for (int c = 0; c < n; c++)
                    {
                        float want = c >= first && c < first + count ? expected[r * n + c] : -7f;
                        Assert.Equal(want, y[r * n + c]);
                    }
                }
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Forward(new float[m * n], x, q, bias, m, firstColumn: 16, columns: 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Forward(new float[m * n], x, q, bias, m, firstColumn: 64, columns: 40));
    }

    [Fact]
    public void ANotANumberInAnInputRowMakesThatRowNotANumberAndLeavesTheOthers()
    {
        // A NaN must not vanish into a finite output: the row's scale (max |x|) is NaN, so is every output of that row.
        int m = 8, n = 40, k = 37;
        float[] x = ReferenceGemm.RandomFloats(m * k, 21), w = ReferenceGemm.RandomFloats(n * k, 22);
        using var q = new QuantizedWeights(w, n, k);
        foreach (var kernel in SupportedKernels)
        {
            var clean = new float[m * n];
            Int8Gemm.Forward(clean, x, q, default, m, kernel: kernel);
            foreach (int column in new[] { 0, 16, 36 }) // in the vector body and in the scalar tail
            {
                var poisoned = (float[])x.Clone();
                poisoned[3 * k + column] = float.NaN;
                var y = new float[m * n];
                Int8Gemm.Forward(y, poisoned, q, default, m, kernel: kernel);
                Assert.All(y.AsSpan(3 * n, n).ToArray(), v => Assert.True(float.IsNaN(v), $"{kernel}, NaN at column {column}: {v}"));
                Assert.Equal(clean.AsSpan(0, 3 * n).ToArray(), y.AsSpan(0, 3 * n).ToArray());
                Assert.Equal(clean.AsSpan(4 * n).ToArray(), y.AsSpan(4 * n).ToArray());
            }
        }
    }

    [Fact]
    public void RejectsShortBuffers()
    {
        using var q = new QuantizedWeights(new float[6], 2, 3);
        Assert.Throws<ArgumentException>(() => Int8Gemm.Forward(new float[3], new float[6], q, default, 2));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Forward(new float[4], new float[5], q, default, 2));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Forward(new float[4], new float[6], q, new float[1], 2));
        Assert.Throws<ArgumentException>(() => new QuantizedWeights(new float[5], 2, 3));
    }
}
