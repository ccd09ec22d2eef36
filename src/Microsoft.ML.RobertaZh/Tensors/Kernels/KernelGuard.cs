using System.Diagnostics.CodeAnalysis;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Argument validation shared by the kernels. Every kernel checks its dimensions and span lengths once per call,
/// before touching memory, and throws <see cref="ArgumentException"/> (too-short span) or
/// <see cref="ArgumentOutOfRangeException"/> (negative or inconsistent dimension). The cost is a few compares per call,
/// never per element.
/// </summary>
internal static class KernelGuard
{
    /// <summary>Throws when <paramref name="value"/> is negative.</summary>
    public static void NonNegative(int value, string paramName)
    {
        if (value < 0)
        {
            ThrowNegative(value, paramName);
        }
    }

    /// <summary>Throws when <paramref name="value"/> is not strictly positive.</summary>
    public static void Positive(int value, string paramName)
    {
        if (value <= 0)
        {
            ThrowNotPositive(value, paramName);
        }
    }

    /// <summary>Throws when a span of <paramref name="actual"/> elements is shorter than <paramref name="required"/>.</summary>
    public static void Length(int actual, long required, string paramName)
    {
        if (actual < required)
        {
            ThrowTooShort(actual, required, paramName);
        }
    }

    /// <summary>Throws unless a probability lies in [0, 1].</summary>
    public static void Probability(float p, string paramName)
    {
        if (!(p >= 0f && p <= 1f))
        {
            ThrowProbability(p, paramName);
        }
    }

    [DoesNotReturn]
    private static void ThrowNegative(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be non-negative.");

    [DoesNotReturn]
    private static void ThrowNotPositive(int value, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive.");

    [DoesNotReturn]
    private static void ThrowTooShort(int actual, long required, string paramName) =>
        throw new ArgumentException($"{paramName} has {actual} elements but at least {required} are required.", paramName);

    [DoesNotReturn]
    private static void ThrowProbability(float p, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, p, $"{paramName} must lie in [0, 1].");
}
