using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// A branch-free exp for the hot elementwise kernels (softmax, GELU), written three times with the same operations in
/// the same order — 16 lanes, 8 lanes, one lane — so all three give bit-identical results on any CPU.
/// <para>
/// Cody–Waite reduction x = n·ln2 + r with n = round(x·log₂e) (ln2 split in a high part with 8 trailing zero bits, so
/// n·ln2_hi is exact, and a low part), a degree-6 polynomial for e^r on |r| ≤ ln2/2 (coefficients fitted for this
/// project by Chebyshev interpolation, max error 2e-9 relative), and 2ⁿ built in the exponent bits. Measured error
/// against double: ≤ 2 ulp (tests). <see cref="NonPositive(float)"/> covers x ≤ 0 (the softmax's z − max): below
/// −87.33 (where e^x &lt; 1.2e-38) it returns 0, NaN stays NaN.
/// </para>
/// </summary>
internal static class FastExp
{
    /// <summary>log₂e.</summary>
    internal const float Log2E = 1.442695022e+00f;

    /// <summary>High part of ln 2 (8 trailing zero bits: n·Ln2Hi is exact for |n| ≤ 255).</summary>
    internal const float Ln2Hi = 6.933593750e-01f;

    /// <summary>ln 2 − <see cref="Ln2Hi"/>.</summary>
    internal const float Ln2Lo = -2.121944417e-04f;

    /// <summary>Below this, e^x is returned as 0 (e^−87.33 ≈ 1.2e-38, the smallest normal float).</summary>
    internal const float Underflow = -87.33f;

    private const float E2 = 5.000000000e-01f, E3 = 1.666641533e-01f, E4 = 4.166635126e-02f, E5 = 8.375128731e-03f, E6 = 1.394111197e-03f;

    /// <summary>e^r·2ⁿ for |r| ≤ ln2/2 (plus a little) and integral n in [−126, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Reduced(float n, float r)
    {
        float p = MathF.FusedMultiplyAdd(E6, r, E5);
        p = MathF.FusedMultiplyAdd(p, r, E4);
        p = MathF.FusedMultiplyAdd(p, r, E3);
        p = MathF.FusedMultiplyAdd(p, r, E2);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    /// <summary><see cref="Reduced(float, float)"/> on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Reduced(Vector512<float> n, Vector512<float> r)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E6), r, Vector512.Create(E5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        return p * Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
    }

    /// <summary><see cref="Reduced(float, float)"/> on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Reduced(Vector256<float> n, Vector256<float> r)
    {
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E6), r, Vector256.Create(E5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        return p * Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
    }

    /// <summary>e^x for x ≤ 0 (0 below <see cref="Underflow"/>; NaN stays NaN). Positive x is outside the contract.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float NonPositive(float x)
    {
        bool under = x < Underflow;
        float xc = under ? Underflow : x;
        float n = MathF.Round(xc * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, xc);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float e = Reduced(n, r);
        return under ? 0f : e;
    }

    /// <summary><see cref="NonPositive(float)"/> on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> NonPositive(Vector512<float> x)
    {
        var under = Vector512.LessThan(x, Vector512.Create(Underflow));
        var xc = Vector512.ConditionalSelect(under, Vector512.Create(Underflow), x);
        var n = Vector512.Round(xc * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        return Vector512.AndNot(Reduced(n, r), under);
    }

    /// <summary><see cref="NonPositive(float)"/> on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> NonPositive(Vector256<float> x)
    {
        var under = Vector256.LessThan(x, Vector256.Create(Underflow));
        var xc = Vector256.ConditionalSelect(under, Vector256.Create(Underflow), x);
        var n = Vector256.Round(xc * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        return Vector256.AndNot(Reduced(n, r), under);
    }
}
