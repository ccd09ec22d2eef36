using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class TanhTests
{
    [Fact]
    public void ForwardEveryLength0To256MatchesReference()
    {
        var random = new Random(11);
        for (int n = 0; n <= 256; n++)
        {
            var x = TestData.Uniform(random, n, -5f, 5f);
            if (n > 3)
            {
                x[0] = 1e-5f;   // tiny arguments: relative accuracy must not be lost to exp-based cancellation
                x[1] = -3e-3f;
                x[2] = 20f;
            }

            var expected = x.Select(v => Math.Tanh(v)).ToArray();
            var y = new float[n];
            Tanh.Forward(y, x);
            TestData.AssertClose(expected, y, 1e-6, 0, $"n={n}");
            Tanh.ForwardScalar(y, x);
            TestData.AssertClose(expected, y, 1e-6, 0, $"scalar n={n}");
        }
    }

    [Fact]
    public void BackwardEveryLength0To256AddsDOutputTimesOneMinusYSquared()
    {
        var random = new Random(12);
        for (int n = 0; n <= 256; n++)
        {
            var x = TestData.Uniform(random, n, -3f, 3f);
            var y = new float[n];
            Tanh.Forward(y, x);
            var g = TestData.Uniform(random, n);
            var prior = TestData.Uniform(random, n);
            var d = (float[])prior.Clone();
            Tanh.Backward(d, g, y);
            for (int i = 0; i < n; i++)
            {
                double expected = prior[i] + (g[i] * (1 - (Math.Tanh(x[i]) * Math.Tanh(x[i]))));
                Assert.True(Math.Abs(d[i] - expected) <= 3e-7 * (Math.Abs(prior[i]) + Math.Abs(g[i])), $"n={n} i={i}");
            }
        }
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var random = new Random(13);
        var x = TestData.Uniform(random, 29, -2f, 2f);
        var w = TestData.Uniform(random, 29);
        var y = new float[29];
        Tanh.Forward(y, x);
        var d = new float[29];
        Tanh.Backward(d, w, y);
        var numeric = GradientCheck.Numerical(v => GradientCheck.Project(v.Select(Math.Tanh).ToArray(), w), TestData.ToDouble(x));
        // 1 − y² from a float y: relative error ≈ 2·ε·y²/(1 − y²) ≤ 1e-6 for |x| ≤ 2.
        GradientCheck.AssertClose(d, numeric, 1e-5, "dTanh");
    }

    [Fact]
    public void ShortDestinationsThrow()
    {
        Assert.Throws<ArgumentException>(() => Tanh.Forward(new float[1], new float[2]));
        Assert.Throws<ArgumentException>(() => Tanh.Backward(new float[1], new float[2], new float[2]));
    }
}
