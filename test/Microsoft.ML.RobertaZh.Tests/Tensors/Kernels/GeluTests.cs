using System.Runtime.Intrinsics;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class GeluTests
{
    // Output tolerance: 1e-6 relative (the brief's bound); the absolute floor only covers results that are
    // denormal-adjacent (|gelu| < 1e-30 happens for x < −11).
    private const double Rel = 1e-6;
    private const double AbsFloor = 1e-37;

    [Fact]
    public void ErfScalarAndVectorWithin2e7OfDoubleReference()
    {
        double worstScalar = 0, worstVector = 0;
        Span<float> lanes = stackalloc float[8];
        for (int i = -80000; i <= 80000; i += 8)
        {
            for (int l = 0; l < 8; l++)
            {
                lanes[l] = (i + l) * 1e-4f;
            }

            var v = Gelu.Erf(Vector256.Create((ReadOnlySpan<float>)lanes));
            for (int l = 0; l < 8; l++)
            {
                double exact = ReferenceKernels.Erf(lanes[l]);
                worstScalar = Math.Max(worstScalar, Math.Abs(Gelu.Erf(lanes[l]) - exact));
                worstVector = Math.Max(worstVector, Math.Abs(v[l] - exact));
            }
        }

        Assert.True(worstScalar <= 2e-7, $"scalar erf max abs error {worstScalar:E3}");
        Assert.True(worstVector <= 2e-7, $"vector erf max abs error {worstVector:E3}");
        Assert.Equal(1f, Gelu.Erf(float.PositiveInfinity));
        Assert.Equal(-1f, Gelu.Erf(float.NegativeInfinity));
        Assert.True(float.IsNaN(Gelu.Erf(float.NaN)));
    }

    [Fact]
    public void ReferenceErfMatchesKnownValues()
    {
        // Guards the test's own reference: erf(0.5), erf(1), erf(2), erfc(5) to 15 digits (standard tables).
        Assert.Equal(0.520499877813047, ReferenceKernels.Erf(0.5), 14);
        Assert.Equal(0.842700792949715, ReferenceKernels.Erf(1), 14);
        Assert.Equal(0.995322265018953, ReferenceKernels.Erf(2), 14);
        Assert.Equal(1.5374597944280349, ReferenceKernels.Erfc(5) * 1e12, 13);
    }

    [Fact]
    public void ForwardEveryLength0To256MatchesReference()
    {
        var random = new Random(1);
        for (int n = 0; n <= 256; n++)
        {
            var x = TestData.Uniform(random, n, -6f, 6f);
            var expected = x.Select(v => ReferenceKernels.Gelu(v)).ToArray();
            var y = new float[n];
            Gelu.Forward(y, x);
            TestData.AssertClose(expected, y, Rel, AbsFloor, $"simd n={n}");
            Array.Clear(y);
            Gelu.ForwardScalar(y, x);
            TestData.AssertClose(expected, y, Rel, AbsFloor, $"scalar n={n}");
        }
    }

    [Fact]
    public void ForwardKeepsRelativeAccuracyAcrossTheRangeIncludingNegativeTail()
    {
        // Dense sweep of [−11, 10]: the negative tail is where 0.5·x·(1 + erf(x/√2)) would lose all relative accuracy.
        var x = Enumerable.Range(0, 21001).Select(i => -11f + (i * 1e-3f)).Concat([0f, -0f, 1e-30f, -1e-30f, 100f, float.MaxValue]).ToArray();
        var y = new float[x.Length];
        Gelu.Forward(y, x);
        TestData.AssertClose(x.Select(v => ReferenceKernels.Gelu(v)).ToArray(), y, Rel, AbsFloor, "gelu");
        Gelu.ForwardScalar(y, x);
        TestData.AssertClose(x.Select(v => ReferenceKernels.Gelu(v)).ToArray(), y, Rel, AbsFloor, "gelu scalar");
        Gelu.Forward(y.AsSpan(0, 1), [float.PositiveInfinity]);
        Assert.Equal(float.PositiveInfinity, y[0]);
    }

    [Fact]
    public void BackwardEveryLength0To256MatchesAnalyticDerivativeAndAdds()
    {
        var random = new Random(2);
        for (int n = 0; n <= 256; n++)
        {
            var x = TestData.Uniform(random, n, -7f, 7f);
            var g = TestData.Uniform(random, n);
            var prior = TestData.Uniform(random, n);
            var expected = Enumerable.Range(0, n).Select(i => prior[i] + (g[i] * ReferenceKernels.GeluDerivative(x[i]))).ToArray();
            var d = (float[])prior.Clone();
            Gelu.Backward(d, g, x);
            // gelu' crosses zero near x = −0.75, so relative error is measured against |dOut| as well (float rounding
            // of prior + g·gelu' is ≤ 6e-8·(|prior| + |g|)).
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(d[i] - expected[i]) <= 2e-7 * (Math.Abs(prior[i]) + Math.Abs(g[i]) + Math.Abs(expected[i])),
                    $"n={n} i={i}: {d[i]} vs {expected[i]}");
            }

            var s = (float[])prior.Clone();
            Gelu.BackwardScalar(s, g, x);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(s[i] - expected[i]) <= 2e-7 * (Math.Abs(prior[i]) + Math.Abs(g[i]) + Math.Abs(expected[i])), $"scalar n={n} i={i}");
            }
        }
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesOfReferenceForward()
    {
        var random = new Random(3);
        var x = TestData.Uniform(random, 37, -4f, 4f);
        var w = TestData.Uniform(random, 37);
        var numeric = GradientCheck.Numerical(v => GradientCheck.Project(v.Select(ReferenceKernels.Gelu).ToArray(), w), TestData.ToDouble(x));
        var d = new float[37];
        Gelu.Backward(d, w, x);
        // Float derivative carries ~1e-7 relative error; central differences in double ~1e-10: 1e-5 leaves margin.
        GradientCheck.AssertClose(d, numeric, 1e-5, "dGelu");
    }

    [Fact]
    public void ApplyInPlaceEqualsForwardAndLargeArraysAreThreadCountIndependent()
    {
        var x = TestData.Uniform(new Random(4), 100_003, -5f, 5f);
        var serial = new float[x.Length];
        var parallel = new float[x.Length];
        using (new ParallelismScope(1))
        {
            Gelu.Forward(serial, x);
        }

        Gelu.Forward(parallel, x);
        Assert.Equal(serial, parallel);
        var inPlace = (float[])x.Clone();
        Gelu.Apply(inPlace);
        Assert.Equal(serial, inPlace);
        TestData.AssertClose(x.Select(v => ReferenceKernels.Gelu(v)).ToArray(), parallel, Rel, AbsFloor, "large");
    }

    [Fact]
    public void BackwardInPlaceEqualsClearingAndAddingOnEveryLength0To256AndLarge()
    {
        // The encoder's backward writes GELU's input gradient over its output gradient instead of clearing a second
        // buffer and adding into it: bit for bit the same values (every vector tail, and the multi-threaded path).
        var random = new Random(17);
        foreach (int n in Enumerable.Range(0, 257).Append(100_003))
        {
            var x = TestData.Uniform(random, n, -7f, 7f);
            var g = TestData.Uniform(random, n, -2f, 2f);
            var expected = new float[n];
            Gelu.Backward(expected, g, x);
            var inPlace = (float[])g.Clone();
            Gelu.BackwardInPlace(inPlace, x);
            Assert.Equal(expected, inPlace);
        }
    }

    [Fact]
    public void ShortDestinationsThrow()
    {
        Assert.Throws<ArgumentException>(() => Gelu.Forward(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Gelu.Backward(new float[3], new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => Gelu.Backward(new float[4], new float[3], new float[4]));
    }
}
