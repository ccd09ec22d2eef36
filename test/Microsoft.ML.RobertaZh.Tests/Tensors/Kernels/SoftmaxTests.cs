using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class SoftmaxTests
{
    private const float Masked = ReferenceKernels.TorchFloatMin;

    [Fact]
    public void ForwardRowEveryLength1To256MatchesReferenceWithScaleAndMask()
    {
        var random = new Random(31);
        for (int n = 1; n <= 256; n++)
        {
            var s = TestData.Uniform(random, n, -8f, 8f);
            var mask = Enumerable.Range(0, n).Select(j => j % 3 == 2 ? Masked : 0f).ToArray();
            var expected = ReferenceKernels.SoftmaxRow(TestData.ToDouble(s), TestData.ToDouble(mask), 0.125);
            var p = new float[n];
            Softmax.Forward(p, s, mask, 1, n, 0.125f);
            // Probabilities: 1e-6 relative, plus 1e-12 absolute for entries that are e^-huge small relative to the row.
            TestData.AssertClose(expected, p, 1e-6, 1e-12, $"simd n={n}");
            var q = new float[n];
            Softmax.ForwardRowScalar(q, s, mask, 0.125f, out _, out _);
            TestData.AssertClose(expected, q, 1e-6, 1e-12, $"scalar n={n}");
        }
    }

    [Fact]
    public void ForwardOddShapesBroadcastAndPerRowMasks()
    {
        var random = new Random(32);
        foreach (var (rows, cols) in new[] { (3, 7), (5, 33), (2, 64), (4, 1), (0, 5) })
        {
            var s = TestData.Uniform(random, rows * cols, -5f, 5f);
            var rowMask = Enumerable.Range(0, cols).Select(j => j == cols - 1 && cols > 1 ? Masked : 0f).ToArray();
            var fullMask = Enumerable.Range(0, rows * cols).Select(i => i % 4 == 1 ? Masked : 0f).ToArray();
            var p = new float[rows * cols];
            Softmax.Forward(p, s, rowMask, rows, cols);
            var q = new float[rows * cols];
            Softmax.Forward(q, s, fullMask, rows, cols, 0.5f);
            for (int r = 0; r < rows; r++)
            {
                var sd = TestData.ToDouble(s.AsSpan(r * cols, cols));
                TestData.AssertClose(ReferenceKernels.SoftmaxRow(sd, TestData.ToDouble(rowMask), 1), p.AsSpan(r * cols, cols), 1e-6, 1e-12, $"broadcast {rows}x{cols} row {r}");
                TestData.AssertClose(ReferenceKernels.SoftmaxRow(sd, TestData.ToDouble(fullMask.AsSpan(r * cols, cols)), 0.5), q.AsSpan(r * cols, cols), 1e-6, 1e-12, $"per-row {rows}x{cols} row {r}");
            }
        }
    }

    [Fact]
    public void FullyMaskedRowIsUniformAndMaskedKeysGetZero()
    {
        var s = new float[] { 3f, -1f, 0.5f, 7f, 2f };
        var p = new float[5];
        Softmax.Forward(p, s, [Masked, Masked, Masked, Masked, Masked], 1, 5);
        // As in HF: every masked score rounds to float.MinValue, so the row is exactly uniform.
        Assert.All(p, v => Assert.Equal(p[0], v));
        Assert.Equal(0.2, p[0], 7);
        Softmax.Forward(p, s, [0f, Masked, 0f, Masked, 0f], 1, 5);
        Assert.Equal(0f, p[1]);
        Assert.Equal(0f, p[3]);
        Assert.Equal(1f, p[0] + p[2] + p[4], 6);
        // Large scores must not overflow: the maximum is subtracted.
        Softmax.Forward(p, [1000f, 999f, 0f, 0f, 0f], default, 1, 5);
        Assert.Equal(1 / (1 + Math.Exp(-1)), p[0], 6);
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesAndAdds()
    {
        var random = new Random(33);
        const int rows = 3, cols = 11;
        const float scale = 0.37f;
        var s = TestData.Uniform(random, rows * cols, -2f, 2f);
        var mask = Enumerable.Range(0, cols).Select(j => j == 4 ? Masked : 0f).ToArray();
        var w = TestData.Uniform(random, rows * cols);
        var p = new float[rows * cols];
        Softmax.Forward(p, s, mask, rows, cols, scale);
        var prior = TestData.Uniform(random, rows * cols);
        var d = (float[])prior.Clone();
        Softmax.Backward(d, w, p, rows, cols, scale);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] -= prior[i];
        }

        double Loss(double[] x)
        {
            var all = new double[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                ReferenceKernels.SoftmaxRow(x.AsSpan(r * cols, cols), TestData.ToDouble(mask), scale).CopyTo(all, r * cols);
            }

            return GradientCheck.Project(all, w);
        }

        // Float probabilities (≈1e-7 relative) and a float dot product: 1e-5 relative on the gradient's scale.
        GradientCheck.AssertClose(d, GradientCheck.Numerical(Loss, TestData.ToDouble(s)), 1e-5, "dScores", 1e-2);
    }

    [Fact]
    public void LogSoftmaxForwardAndBackward()
    {
        var random = new Random(34);
        foreach (var (rows, cols) in new[] { (1, 1), (3, 7), (2, 33), (2, 300), (4, 256) })
        {
            var x = TestData.Uniform(random, rows * cols, -20f, 20f);
            var y = new float[rows * cols];
            Softmax.LogForward(y, x, rows, cols);
            var expected = new double[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                ReferenceKernels.LogSoftmaxRow(TestData.ToDouble(x.AsSpan(r * cols, cols))).CopyTo(expected, r * cols);
            }

            // Log-probabilities are differences of O(|x|) quantities: error is ≈ ε·max|x| ≈ 2e-6 absolute, 1e-6 relative.
            TestData.AssertClose(expected, y, 1e-6, 4e-6, $"log {rows}x{cols}");
        }

        const int R = 2, C = 9;
        var xs = TestData.Uniform(random, R * C, -3f, 3f);
        var w = TestData.Uniform(random, R * C);
        var logp = new float[R * C];
        Softmax.LogForward(logp, xs, R, C);
        var d = new float[R * C];
        Softmax.LogBackward(d, w, logp, R, C);
        double Loss(double[] v)
        {
            var all = new double[R * C];
            for (int r = 0; r < R; r++)
            {
                ReferenceKernels.LogSoftmaxRow(v.AsSpan(r * C, C)).CopyTo(all, r * C);
            }

            return GradientCheck.Project(all, w);
        }

        GradientCheck.AssertClose(d, GradientCheck.Numerical(Loss, TestData.ToDouble(xs)), 1e-5, "dLogits", 1e-2);
    }

    [Fact]
    public void LargeInputsAreThreadCountIndependent()
    {
        const int rows = 300, cols = 257;
        var s = TestData.Uniform(new Random(35), rows * cols, -4f, 4f);
        var a = new float[rows * cols];
        var b = new float[rows * cols];
        Softmax.Forward(a, s, default, rows, cols, 0.3f);
        using (new ParallelismScope(1))
        {
            Softmax.Forward(b, s, default, rows, cols, 0.3f);
        }

        Assert.Equal(b, a);
    }

    [Fact]
    public void EmptyRowsAndColumnsAreNoOps()
    {
        Softmax.Forward(Span<float>.Empty, ReadOnlySpan<float>.Empty, default, 3, 0);
        Softmax.Forward(Span<float>.Empty, ReadOnlySpan<float>.Empty, default, 0, 4);
        Softmax.Backward(Span<float>.Empty, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, 3, 0);
        Softmax.LogForward(Span<float>.Empty, ReadOnlySpan<float>.Empty, 2, 0);
    }

    [Fact]
    public void ShortSpansThrow()
    {
        Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[5], new float[6], default, 2, 3));
        Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[6], new float[6], new float[2], 2, 3));
        Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[6], new float[5], new float[6], 2, 3));
        Assert.Throws<ArgumentException>(() => Softmax.LogForward(new float[5], new float[6], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.Forward(new float[6], new float[6], default, -1, 3));
    }
}
