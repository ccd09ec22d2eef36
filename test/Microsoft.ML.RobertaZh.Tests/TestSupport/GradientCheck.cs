using System.Globalization;
using System.Text;

namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>
/// Central finite differences and gradient comparison, for checking any Backward against its Forward.
/// <para>
/// Typical use: pick random output weights w, define L(x) = Σ w·forward(x) with a double-precision reference forward,
/// run the float Backward with dOutput = w, and compare with <see cref="Numerical"/>. Central differences in double with
/// h ≈ 1e-5 have truncation error O(h²·f''') ≈ 1e-10 and rounding error ≈ 1e-16/h ≈ 1e-11, far below float kernel error,
/// so the comparison measures the kernel.
/// </para>
/// </summary>
internal static class GradientCheck
{
    /// <summary>∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for every i; <paramref name="x"/> is restored.</summary>
    public static double[] Numerical(Func<double[], double> f, double[] x, double h = 1e-5)
    {
        var grad = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + h;
            double plus = f(x);
            x[i] = saved - h;
            double minus = f(x);
            x[i] = saved;
            grad[i] = (plus - minus) / (2 * h);
        }

        return grad;
    }

    /// <summary>Σ w_i·y_i, the scalar whose gradient w.r.t. y is w.</summary>
    public static double Project(double[] y, float[] w)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            s += y[i] * w[i];
        }

        return s;
    }

    /// <summary>
    /// Worst relative error max_i |a_i − e_i| / (|e_i| + floor), with floor = <paramref name="floorFraction"/>·max|e|
    /// so that components that are tiny compared with the whole gradient are judged on the gradient's scale.
    /// </summary>
    public static (double Error, int Index) MaxRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double floorFraction = 1e-3)
    {
        double scale = 0;
        foreach (double e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        double floor = Math.Max(floorFraction * scale, 1e-300);
        double worst = 0;
        int index = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]) / (Math.Abs(expected[i]) + floor);
            if (!(err <= worst))
            {
                worst = err;
                index = i;
            }
        }

        return (worst, index);
    }

    /// <summary>Asserts <see cref="MaxRelativeError"/> ≤ <paramref name="tolerance"/> and reports the worst component.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double tolerance, string what, double floorFraction = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        var (error, index) = MaxRelativeError(actual, expected, floorFraction);
        if (error <= tolerance)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"{what}: relative error {error:E3} > {tolerance:E1} at [{index}]: ");
        message.Append(CultureInfo.InvariantCulture, $"actual {actual[index]:R}, expected {expected[index]:R}");
        Assert.Fail(message.ToString());
    }
}
