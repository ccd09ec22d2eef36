namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>Seeded random inputs and small conversion/assertion helpers shared by the kernel tests.</summary>
internal static class TestData
{
    public static float[] Uniform(Random random, int n, float lo = -1f, float hi = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = lo + ((hi - lo) * random.NextSingle());
        }

        return a;
    }

    public static double[] ToDouble(ReadOnlySpan<float> a)
    {
        var d = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            d[i] = a[i];
        }

        return d;
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ rel·|expected| + abs elementwise and names the first offending index.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            if (!(err <= (rel * Math.Abs(expected[i])) + abs))
            {
                Assert.Fail(FormattableString.Invariant($"{what}[{i}]: actual {actual[i]:R}, expected {expected[i]:R}, |error| {err:E3} > {rel:E1}·|e| + {abs:E1}"));
            }
        }
    }
}
