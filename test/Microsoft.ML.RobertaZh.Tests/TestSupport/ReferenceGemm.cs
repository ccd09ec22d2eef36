namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// Independent double-precision references for matrix products, written without looking at the library code:
/// they index op(A) and op(B) through small accessor functions so transposes are handled in one obvious place.
/// </summary>
internal static class ReferenceGemm
{
    /// <summary>
    /// Exact-as-double C = op(A)·op(B) (+ bias) (+ C0 when accumulating), and, per element, the sum of the magnitudes
    /// of every term that went into it (Σ|a·b| + |bias| + |C0|), which scales the rounding-error bound.
    /// </summary>
    public static (double[] Value, double[] Magnitude) Multiply(
        bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c0, int ldc, bool accumulate, float[]? bias)
    {
        double A(int i, int p) => transA ? a[p * lda + i] : a[i * lda + p];
        double B(int p, int j) => transB ? b[j * ldb + p] : b[p * ldb + j];
        var value = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = A(i, p) * B(p, j);
                    sum += t;
                    abs += Math.Abs(t);
                }
                if (bias is not null) { sum += bias[j]; abs += Math.Abs(bias[j]); }
                if (accumulate) { sum += c0[i * ldc + j]; abs += Math.Abs(c0[i * ldc + j]); }
                value[i * n + j] = sum;
                magnitude[i * n + j] = abs;
            }
        }
        return (value, magnitude);
    }

    /// <summary>Linear layer in double: y[r,o] = Σ_i x[r,i]·w[o,i] + bias[o] (bias may be null).</summary>
    public static double[] ReferenceLinear(double[] x, double[] w, double[]? bias, int rows, int inFeatures, int outFeatures)
    {
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double s = bias is null ? 0 : bias[o];
                for (int i = 0; i < inFeatures; i++) s += x[r * inFeatures + i] * w[o * inFeatures + i];
                y[r * outFeatures + o] = s;
            }
        }
        return y;
    }

    /// <summary>Deterministic values in [-1, 1) from a seeded generator.</summary>
    public static float[] RandomFloats(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
