namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

/// <summary>Relative-error comparisons of float tensors.</summary>
internal static class TensorAssert
{
    /// <summary>‖actual − expected‖ / ‖expected‖ in double.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            diff += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    /// <summary>Fails unless the relative error is at most <paramref name="tolerance"/> (and both are present).</summary>
    public static void Close(float[]? actual, float[]? expected, double tolerance, string name)
    {
        Assert.True(actual is not null, $"{name}: missing");
        Assert.True(expected is not null, $"{name}: no reference");
        double error = RelativeError(actual, expected);
        double maxAbs = 0;
        for (int i = 0; i < expected.Length; i++) maxAbs = Math.Max(maxAbs, Math.Abs((double)actual[i] - expected[i]));
        Assert.True(error <= tolerance, $"{name}: relative error {error:E3} > {tolerance:E1} (max abs diff {maxAbs:E3})");
    }
}
