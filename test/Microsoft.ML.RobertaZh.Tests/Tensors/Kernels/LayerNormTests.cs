using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class LayerNormTests
{
    private static (float[] X, float[] W, float[] B) Inputs(Random random, int rows, int hidden, float offset = 0f)
    {
        var x = TestData.Uniform(random, rows * hidden, -2f, 2f);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] += offset;
        }

        return (x, TestData.Uniform(random, hidden, 0.5f, 1.5f), TestData.Uniform(random, hidden, -0.5f, 0.5f));
    }

    [Fact]
    public void ForwardMatchesReferenceForEveryHiddenSizeUpTo130AndOddShapes()
    {
        var random = new Random(41);
        var hiddens = Enumerable.Range(1, 130).Concat([255, 256, 257, 768]);
        foreach (int hidden in hiddens)
        {
            foreach (float offset in new[] { 0f, 30f })
            {
                const int rows = 3;
                var (x, w, b) = Inputs(random, rows, hidden, offset);
                var y = new float[rows * hidden];
                var mean = new float[rows];
                var rstd = new float[rows];
                LayerNorm.Forward(y, mean, rstd, x, w, b, rows, hidden, 1e-12f);
                var expected = ReferenceKernels.LayerNorm(TestData.ToDouble(x), TestData.ToDouble(w), TestData.ToDouble(b), rows, hidden, 1e-12);
                // y is O(1): 1e-6 relative with a 1e-6 absolute floor for entries that cancel to ≈ 0 (w·x̂ ≈ −b).
                TestData.AssertClose(expected, y, 1e-6, 1e-6, $"hidden={hidden} offset={offset}");
                if (hidden > 1)
                {
                    var s = new float[hidden];
                    LayerNorm.ForwardRowScalar(s, out _, out _, x.AsSpan(0, hidden), w, b, 1e-12f);
                    TestData.AssertClose(expected.AsSpan(0, hidden), s, 1e-6, 1e-6, $"scalar hidden={hidden}");
                }
            }
        }
    }

    [Fact]
    public void ForwardSavesMeanAndReciprocalStdAndHonoursEps()
    {
        float[] x = [1f, 2f, 3f, 4f, 1f, 1f, 1f, 1f];
        var y = new float[8];
        var mean = new float[2];
        var rstd = new float[2];
        LayerNorm.Forward(y, mean, rstd, x, [1f, 1f, 1f, 1f], [0f, 0f, 0f, 0f], 2, 4, 1e-5f);
        Assert.Equal(2.5f, mean[0]);
        Assert.Equal((float)(1 / Math.Sqrt(1.25 + (double)1e-5f)), rstd[0]);
        Assert.Equal(1f, mean[1]);
        Assert.Equal((float)(1 / Math.Sqrt((double)1e-5f)), rstd[1]);   // constant row: eps inside the root
        Assert.All(y.AsSpan(4).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(2, 33)]
    [InlineData(5, 8)]
    public void BackwardMatchesFiniteDifferencesForInputWeightAndBias(int rows, int hidden)
    {
        var random = new Random(42 + hidden);
        var (x, w, b) = Inputs(random, rows, hidden, 0.3f);
        var g = TestData.Uniform(random, rows * hidden);
        const float eps = 1e-5f;
        var y = new float[rows * hidden];
        var mean = new float[rows];
        var rstd = new float[rows];
        LayerNorm.Forward(y, mean, rstd, x, w, b, rows, hidden, eps);

        var dx = new float[rows * hidden];
        var dw = new float[hidden];
        var db = new float[hidden];
        LayerNorm.Backward(dx, dw, db, g, x, w, mean, rstd, rows, hidden);

        var xd = TestData.ToDouble(x);
        var wd = TestData.ToDouble(w);
        var bd = TestData.ToDouble(b);
        // Float backward over ≤ 33-term sums: ~1e-6 relative; 2e-5 leaves margin and still catches any formula slip.
        GradientCheck.AssertClose(dx, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.LayerNorm(v, wd, bd, rows, hidden, eps), g), xd), 2e-5, "dInput", 1e-2);
        GradientCheck.AssertClose(dw, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.LayerNorm(xd, v, bd, rows, hidden, eps), g), wd), 2e-5, "dWeight", 1e-2);
        GradientCheck.AssertClose(db, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.LayerNorm(xd, wd, v, rows, hidden, eps), g), bd), 2e-5, "dBias", 1e-2);

        // Backward adds: a second call doubles every gradient exactly.
        var dx2 = (float[])dx.Clone();
        var dw2 = (float[])dw.Clone();
        var db2 = (float[])db.Clone();
        LayerNorm.Backward(dx2, dw2, db2, g, x, w, mean, rstd, rows, hidden);
        Assert.Equal(dx.Select(v => v * 2).ToArray(), dx2);
        Assert.Equal(dw.Select(v => v * 2).ToArray(), dw2);
        Assert.Equal(db.Select(v => v * 2).ToArray(), db2);
    }

    [Fact]
    public void ScalarBackwardRowMatchesSimdPath()
    {
        var random = new Random(43);
        foreach (int hidden in new[] { 1, 7, 8, 9, 33, 64 })
        {
            var (x, w, b) = Inputs(random, 1, hidden);
            var g = TestData.Uniform(random, hidden);
            var y = new float[hidden];
            var mean = new float[1];
            var rstd = new float[1];
            LayerNorm.Forward(y, mean, rstd, x, w, b, 1, hidden, 1e-12f);
            var dx = new float[hidden];
            var dw = new float[hidden];
            var db = new float[hidden];
            LayerNorm.Backward(dx, dw, db, g, x, w, mean, rstd, 1, hidden);
            var sx = new float[hidden];
            var sw = new float[hidden];
            var sb = new float[hidden];
            LayerNorm.BackwardRowScalar(sx, sw, sb, g, x, w, mean[0], rstd[0]);
            TestData.AssertClose(TestData.ToDouble(sx), dx, 1e-5, 1e-6, $"dx hidden={hidden}");
            TestData.AssertClose(TestData.ToDouble(sw), dw, 1e-5, 1e-6, $"dw hidden={hidden}");
            Assert.Equal(sb, db);
        }
    }

    [Fact]
    public void LargeBackwardIsBitIdenticalForAnyThreadCount()
    {
        const int rows = 1000, hidden = 96;
        var random = new Random(44);
        var (x, w, b) = Inputs(random, rows, hidden);
        var g = TestData.Uniform(random, rows * hidden);
        var y = new float[rows * hidden];
        var mean = new float[rows];
        var rstd = new float[rows];
        LayerNorm.Forward(y, mean, rstd, x, w, b, rows, hidden, 1e-12f);

        (float[], float[], float[]) Run()
        {
            var dx = new float[rows * hidden];
            var dw = new float[hidden];
            var db = new float[hidden];
            LayerNorm.Backward(dx, dw, db, g, x, w, mean, rstd, rows, hidden);
            return (dx, dw, db);
        }

        var parallel = Run();
        (float[], float[], float[]) serial;
        using (new ParallelismScope(1))
        {
            serial = Run();
            var ys = new float[rows * hidden];
            LayerNorm.Forward(ys, new float[rows], new float[rows], x, w, b, rows, hidden, 1e-12f);
            Assert.Equal(ys, y);
        }

        Assert.Equal(serial.Item1, parallel.Item1);
        Assert.Equal(serial.Item2, parallel.Item2);
        Assert.Equal(serial.Item3, parallel.Item3);
    }

    [Fact]
    public void ShortSpansThrow()
    {
        var ok = new float[6];
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(new float[5], new float[2], new float[2], ok, new float[3], new float[3], 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(ok, new float[1], new float[2], ok, new float[3], new float[3], 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(ok, new float[2], new float[2], ok, new float[2], new float[3], 2, 3, 1e-5f));
        Assert.Throws<ArgumentException>(() => LayerNorm.Backward(ok, new float[3], new float[2], ok, ok, new float[3], new float[2], new float[2], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm.Forward(ok, new float[2], new float[2], ok, new float[3], new float[3], 2, 0, 1e-5f));
    }
}
