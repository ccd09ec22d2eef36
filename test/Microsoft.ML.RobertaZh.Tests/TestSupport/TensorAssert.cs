namespace Microsoft.ML.RobertaZh.Tests.TestSupport;

/// <summary>Tensor comparisons that report the tensor's name and the size of the difference.</summary>
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

    /// <summary>The largest absolute value.</summary>
    public static double MaxAbs(ReadOnlySpan<float> values)
    {
        double max = 0;
        foreach (float v in values) max = Math.Max(max, Math.Abs((double)v));
        return max;
    }

    /// <summary>Fails unless both are present and the relative error is at most <paramref name="tolerance"/>.</summary>
    public static void ClosePresent(float[]? actual, float[]? expected, double tolerance, string name)
    {
        Assert.True(actual is not null, $"{name}: missing");
        Assert.True(expected is not null, $"{name}: no reference");
        Close(actual.AsSpan(), expected.AsSpan(), tolerance, name);
    }

    /// <summary>Fails unless the relative error is at most <paramref name="tolerance"/>.</summary>
    public static void Close(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string name)
    {
        double error = RelativeError(actual, expected);
        double maxAbs = 0;
        for (int i = 0; i < expected.Length; i++) maxAbs = Math.Max(maxAbs, Math.Abs((double)actual[i] - expected[i]));
        Assert.True(error <= tolerance, $"{name}: relative error {error:E3} > {tolerance:E1} (max abs diff {maxAbs:E3})");
    }
}
