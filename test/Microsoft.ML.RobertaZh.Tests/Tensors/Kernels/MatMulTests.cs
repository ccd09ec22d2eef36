using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class MatMulTests
{
    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(5, 7, 3, true)]
    [InlineData(33, 17, 65, false)]
    [InlineData(64, 129, 48, true)]
    public void ForwardMatchesDoubleReference(int rows, int inFeatures, int outFeatures, bool withBias)
    {
        float[] x = ReferenceGemm.RandomFloats(rows * inFeatures, 1);
        float[] w = ReferenceGemm.RandomFloats(outFeatures * inFeatures, 2);
        float[] bias = withBias ? ReferenceGemm.RandomFloats(outFeatures, 3) : [];
        var y = new float[rows * outFeatures];
        MatMul.Forward(y, x, w, bias, rows, inFeatures, outFeatures);

        double[] expected = ReferenceGemm.ReferenceLinear(ToDouble(x), ToDouble(w), withBias ? ToDouble(bias) : null,
            rows, inFeatures, outFeatures);
        // Inputs lie in [-1, 1), so Σ|terms| ≤ inFeatures + 1; GemmTests.Tolerance explains the bound.
        double tol = GemmTests.Tolerance(inFeatures, inFeatures + 1);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - expected[i]) <= tol, $"y[{i}] = {y[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(17, 6, 9)]
    public void BackwardMatchesCentralFiniteDifferences(int rows, int inFeatures, int outFeatures)
    {
        // Loss L = Σ y ⊙ g with y = linear(x, w, b) evaluated in double; then dL/dy = g is the upstream gradient.
        double[] x = ToDouble(ReferenceGemm.RandomFloats(rows * inFeatures, 4));
        double[] w = ToDouble(ReferenceGemm.RandomFloats(outFeatures * inFeatures, 5));
        double[] b = ToDouble(ReferenceGemm.RandomFloats(outFeatures, 6));
        float[] g = ReferenceGemm.RandomFloats(rows * outFeatures, 7);
        double Loss()
        {
            double[] y = ReferenceGemm.ReferenceLinear(x, w, b, rows, inFeatures, outFeatures);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += y[i] * g[i];
            return s;
        }
        // Central differences of a function that is linear in each parameter are exact up to double rounding,
        // so h can be large; what remains (~1e-15 relative) is far below the float kernels' rounding.
        const double h = 1e-2;
        double[] Numeric(double[] param)
        {
            var grad = new double[param.Length];
            for (int i = 0; i < param.Length; i++)
            {
                double saved = param[i];
                param[i] = saved + h; double plus = Loss();
                param[i] = saved - h; double minus = Loss();
                param[i] = saved;
                grad[i] = (plus - minus) / (2 * h);
            }
            return grad;
        }

        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var db = new float[b.Length];
        MatMul.Backward(dx, dw, db, g, ToFloat(x), ToFloat(w), rows, inFeatures, outFeatures);

        // Each gradient is a float sum of (outFeatures | rows) products of values in [-1, 1).
        AssertClose(Numeric(x), dx, GemmTests.Tolerance(outFeatures, outFeatures) + 1e-9, "dInput");
        AssertClose(Numeric(w), dw, GemmTests.Tolerance(rows, rows) + 1e-9, "dWeight");
        AssertClose(Numeric(b), db, GemmTests.Tolerance(rows, rows) + 1e-9, "dBias");
    }

    [Theory]
    [InlineData(7, 5, 3)]
    [InlineData(130, 65, 33)]
    [InlineData(300, 40, 70)]
    public void BackwardAddsTheNaiveFormulaToExistingGradients(int rows, int inFeatures, int outFeatures)
    {
        float[] x = ReferenceGemm.RandomFloats(rows * inFeatures, 8);
        float[] w = ReferenceGemm.RandomFloats(outFeatures * inFeatures, 9);
        float[] g = ReferenceGemm.RandomFloats(rows * outFeatures, 10);
        float[] dx = ReferenceGemm.RandomFloats(x.Length, 11), dw = ReferenceGemm.RandomFloats(w.Length, 12);
        float[] db = ReferenceGemm.RandomFloats(outFeatures, 13);
        double[] dx0 = ToDouble(dx), dw0 = ToDouble(dw), db0 = ToDouble(db);

        MatMul.Backward(dx, dw, db, g, x, w, rows, inFeatures, outFeatures);

        // The textbook formulas, written out index by index: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
        var ex = new double[dx.Length];
        var ew = new double[dw.Length];
        var eb = new double[db.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double go = g[r * outFeatures + o];
                eb[o] += go;
                for (int i = 0; i < inFeatures; i++)
                {
                    ex[r * inFeatures + i] += go * w[o * inFeatures + i];
                    ew[o * inFeatures + i] += go * x[r * inFeatures + i];
                }
            }
        }
        for (int i = 0; i < ex.Length; i++) ex[i] += dx0[i];
        for (int i = 0; i < ew.Length; i++) ew[i] += dw0[i];
        for (int i = 0; i < eb.Length; i++) eb[i] += db0[i];
        // Magnitudes: every term and the prior gradient are in [-1, 1).
        AssertClose(ex, dx, GemmTests.Tolerance(outFeatures, outFeatures + 1), "dInput");
        AssertClose(ew, dw, GemmTests.Tolerance(rows, rows + 1), "dWeight");
        AssertClose(eb, db, GemmTests.Tolerance(rows, rows + 1), "dBias");
    }

    [Theory]
    [InlineData(5, 7, 3)]
    [InlineData(301, 95, 257)]
    public void BackwardOverwritingTheInputGradientEqualsClearingAndAdding(int rows, int inFeatures, int outFeatures)
    {
        float[] x = ReferenceGemm.RandomFloats(rows * inFeatures, 24);
        float[] w = ReferenceGemm.RandomFloats(outFeatures * inFeatures, 25);
        float[] g = ReferenceGemm.RandomFloats(rows * outFeatures, 26);
        var added = new float[x.Length];
        var written = ReferenceGemm.RandomFloats(x.Length, 27); // stale values that must be replaced, not added to
        float[] dw1 = new float[w.Length], dw2 = new float[w.Length], db1 = new float[outFeatures], db2 = new float[outFeatures];
        MatMul.Backward(added, dw1, db1, g, x, w, rows, inFeatures, outFeatures);
        MatMul.Backward(written, dw2, db2, g, x, w, rows, inFeatures, outFeatures, accumulateInput: false);
        Assert.Equal(added, written);
        Assert.Equal(dw1, dw2);
        Assert.Equal(db1, db2);
    }

    [Fact]
    public void BackwardSkipsEmptyInputAndBiasGradients()
    {
        int rows = 4, inFeatures = 3, outFeatures = 2;
        float[] x = ReferenceGemm.RandomFloats(rows * inFeatures, 14);
        float[] w = ReferenceGemm.RandomFloats(outFeatures * inFeatures, 15);
        float[] g = ReferenceGemm.RandomFloats(rows * outFeatures, 16);
        var dwAll = new float[w.Length];
        var dwOnly = new float[w.Length];
        MatMul.Backward(new float[x.Length], dwAll, new float[outFeatures], g, x, w, rows, inFeatures, outFeatures);
        MatMul.Backward([], dwOnly, [], g, x, w, rows, inFeatures, outFeatures);
        Assert.Equal(dwAll, dwOnly);
    }

    [Fact]
    public void RejectsMismatchedLengths()
    {
        Assert.Throws<ArgumentException>(() => MatMul.Forward(new float[5], new float[6], new float[6], [], 2, 3, 2));
        Assert.Throws<ArgumentException>(() => MatMul.Forward(new float[4], new float[6], new float[6], new float[3], 2, 3, 2));
        Assert.Throws<ArgumentException>(() =>
            MatMul.Backward(new float[5], new float[6], [], new float[4], new float[6], new float[6], 2, 3, 2));
        Assert.Throws<ArgumentException>(() =>
            MatMul.Backward([], new float[5], [], new float[4], new float[6], new float[6], 2, 3, 2));
    }

    private static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol, $"{what}[{i}] = {actual[i]}, expected {expected[i]} ± {tol}");
    }

    private static double[] ToDouble(float[] x) => Array.ConvertAll(x, v => (double)v);

    private static float[] ToFloat(double[] x) => Array.ConvertAll(x, v => (float)v);
}
