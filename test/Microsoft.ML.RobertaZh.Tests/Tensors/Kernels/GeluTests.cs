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
    public void SpecificationErfWithin2e7OfDoubleReference()
    {
        double worst = 0;
        for (int i = -80000; i <= 80000; i++)
        {
            float x = i * 1e-4f;
            worst = Math.Max(worst, Math.Abs(Gelu.Erf(x) - ReferenceKernels.Erf(x)));
        }

        Assert.True(worst <= 2e-7, $"scalar erf max abs error {worst:E3}");
        Assert.Equal(1f, Gelu.Erf(float.PositiveInfinity));
        Assert.Equal(-1f, Gelu.Erf(float.NegativeInfinity));
        Assert.True(float.IsNaN(Gelu.Erf(float.NaN)));
    }

    /// <summary>A dense sweep of the interesting range, its float neighbours of 0 and ±13, and far values.</summary>
    private static float[] Sweep()
    {
        var values = Enumerable.Range(0, 280_001).Select(i => -14f + (i * 1e-4f)).ToList();
        foreach (float v in new[] { 0f, 13f, -13f, 1f, -1f })
        {
            float up = v, down = v;
            for (int k = 0; k < 8; k++)
            {
                up = MathF.BitIncrement(up);
                down = MathF.BitDecrement(down);
                values.Add(up);
                values.Add(down);
            }
        }

        values.AddRange([-0f, 1e-30f, -1e-30f, 1e-45f, 20f, -20f, 100f, -100f, 1e30f, -1e30f, float.MaxValue, -float.MaxValue]);
        return [.. values];
    }

    [Fact]
    public void FastPathWithinStatedBoundOfSpecificationAndDoubleReferenceOverWideSweep()
    {
        // The fast Φ (Gelu.Fast.cs) against the double reference: gelu within 1e-6 relative (+1e-37 absolute for the
        // denormal-adjacent values around x = −13), the measured worst case printed in the message; and against the
        // accurate scalar specification within the sum of both bounds.
        var x = Sweep();
        var fast = new float[x.Length];
        var spec = new float[x.Length];
        Gelu.Forward(fast, x);
        Gelu.ForwardScalar(spec, x);
        double worst = 0, worstSpec = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = ReferenceKernels.Gelu(x[i]);
            double rel = Math.Abs(fast[i] - exact) / Math.Max(Math.Abs(exact), 1e-30);
            if (Math.Abs(exact) > 1e-30) worst = Math.Max(worst, rel);
            Assert.True(Math.Abs(fast[i] - exact) <= (Rel * Math.Abs(exact)) + AbsFloor, $"x={x[i]:R}: fast {fast[i]:R}, exact {exact:R}");
            Assert.True(Math.Abs(fast[i] - spec[i]) <= (2 * Rel * Math.Abs(exact)) + (2 * AbsFloor), $"x={x[i]:R}: fast {fast[i]:R}, specification {spec[i]:R}");
            if (Math.Abs(exact) > 1e-30) worstSpec = Math.Max(worstSpec, Math.Abs(spec[i] - exact) / Math.Abs(exact));
        }

        Assert.True(worst <= 5e-7, $"fast gelu worst relative error {worst:E3} (specification {worstSpec:E3})");
        Gelu.Forward(fast.AsSpan(0, 3), [float.PositiveInfinity, float.NaN, float.NegativeInfinity]);
        Assert.Equal(float.PositiveInfinity, fast[0]);
        Assert.True(float.IsNaN(fast[1]));
        Assert.True(float.IsNaN(fast[2])); // −∞·0, as torch's 0.5·x·(1 + erf(x/√2))
    }

    [Fact]
    public void VectorPathsAreBitIdenticalToPortablePathOnEveryLength0To256AndTheSweep()
    {
        // Vector512 (where available), Vector256 and the one-lane path evaluate the same operations: every length
        // exercises a different split between them, and the sweep covers the whole range of each.
        var random = new Random(11);
        foreach (var x in Enumerable.Range(0, 257).Select(n => TestData.Uniform(random, n, -15f, 15f)).Append(Sweep()))
        {
            var vector = new float[x.Length];
            var portable = new float[x.Length];
            Gelu.Forward(vector, x);
            Gelu.ForwardPortable(portable, x);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(vector[i]) == BitConverter.SingleToInt32Bits(portable[i]) || (float.IsNaN(vector[i]) && float.IsNaN(portable[i])),
                    $"n={x.Length} i={i} x={x[i]:R}: vector {vector[i]:R}, portable {portable[i]:R}");
            }
        }
    }

    [Fact]
    public void QuickGeluOfTheInt8PathIsWithinItsStatedBoundAndTheSameOnEveryVectorWidth()
    {
        // Gelu.ApplyQuick (Abramowitz–Stegun 7.1.28 erf, used by the int8 dequantizing store): absolute error against
        // the double reference ≤ 1e-6·|x| (the formula's 3e-7 on erf plus float rounding, which the 16th power amplifies, halved) + 3e-7·|gelu|; the
        // 16-lane and 8-lane versions equal the scalar one bit for bit; the far ends are exact.
        var x = Sweep();
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = ReferenceKernels.Gelu(x[i]);
            float quick = Gelu.ApplyQuick(x[i]);
            double error = Math.Abs(quick - exact);
            Assert.True(error <= (1e-6 * Math.Abs(x[i])) + (3e-7 * Math.Abs(exact)) + AbsFloor, $"x={x[i]:R}: quick {quick:R}, exact {exact:R}");
            if (error > worst) (worst, worstAt) = (error, x[i]);
        }
        Assert.True(worst > 0 && worst <= 1e-6, $"quick gelu worst absolute error {worst:E3} at x = {worstAt}");

        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var wide = Gelu.ApplyQuick(System.Runtime.Intrinsics.Vector512.Create(x.AsSpan(i, 16)));
            var half = Gelu.ApplyQuick(System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i + 8, 8)));
            for (int j = 0; j < 16; j++)
            {
                float scalar = Gelu.ApplyQuick(x[i + j]);
                Assert.True(BitConverter.SingleToInt32Bits(scalar) == BitConverter.SingleToInt32Bits(wide[j]), $"x={x[i + j]:R}: 16 lanes {wide[j]:R}, scalar {scalar:R}");
                if (j >= 8) Assert.True(BitConverter.SingleToInt32Bits(scalar) == BitConverter.SingleToInt32Bits(half[j - 8]), $"x={x[i + j]:R}: 8 lanes {half[j - 8]:R}, scalar {scalar:R}");
            }
        }
        Assert.Equal(1e30f, Gelu.ApplyQuick(1e30f));
        Assert.Equal(0f, Gelu.ApplyQuick(-1e30f));
        Assert.Equal(float.PositiveInfinity, Gelu.ApplyQuick(float.PositiveInfinity));
        Assert.True(float.IsNaN(Gelu.ApplyQuick(float.NaN)));
    }

    [Fact]
    public void BackwardWithinBoundOverWideSweep()
    {
        // gelu' = Φ + x·φ through the fast Φ and Gaussian: within 2e-7·(|prior| + |g| + |result|) of the double
        // derivative across [−14, 14] and beyond (where φ is exactly 0 and Φ exactly 0 or 1).
        var x = Sweep().Where(float.IsFinite).ToArray();
        var g = Enumerable.Range(0, x.Length).Select(i => (i % 7) - 3f + 0.25f).ToArray();
        var d = new float[x.Length];
        Gelu.Backward(d, g, x);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = g[i] * ReferenceKernels.GeluDerivative(x[i]);
            if (double.IsNaN(expected)) expected = x[i] > 0 ? g[i] : 0; // the reference's ∞·0 beyond ±26
            Assert.True(Math.Abs(d[i] - expected) <= 2e-7 * (Math.Abs(g[i]) + Math.Abs(expected)), $"x={x[i]:R}: {d[i]:R} vs {expected:R}");
        }
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
