using System.Runtime.CompilerServices;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// The specification GELU (<see cref="Gelu.ForwardScalar"/>, <see cref="Gelu.BackwardScalar"/>, <see cref="Gelu.Erf"/>):
/// scalar, with the standard library's exp, and accurate to about 1e-7 relative everywhere including the negative tail.
/// <para>
/// Φ is evaluated without the cancellation of 1 + erf(x/√2) for negative x: with a = |x|/√2, Φ(x) = ½·erfc(a) for
/// x &lt; 0 and 1 − ½·erfc(a) otherwise, and erfc(a) = exp(−a²)·erfcx(a) for a ≥ ½, so relative accuracy holds deep into
/// the negative tail. exp(−x²/2) is computed from the exact product x² = hi + lo (split with an FMA), which removes
/// the error x²·ε that a rounded x² would cause.
/// </para>
/// <para>
/// Approximations (coefficients fitted for this project by Chebyshev interpolation in double and rounded to float):
/// erf(a) = a·P(8a² − 1) on [0, ½] (P of degree 4), and erfcx(a) = H(1.25·Y − 0.25)/(1 + a) with Y = (a − 2)/(a + 2)
/// on [½, ∞) (H of degree 10; the Möbius map sends [½, ∞) to [−1, 1]). Measured errors are in the tests:
/// |erf error| ≤ 2e-7, gelu relative error ≤ 1e-6 against a double reference.
/// </para>
/// </summary>
internal static partial class Gelu
{
    // The polynomial inputs are clamped here: Φ(±20) is exactly 1 / 0 in float and exp(−200) underflows, while
    // infinities would otherwise produce ∞·0 or ∞/∞ inside the approximation.
    private const float Clamp = 20f;

    // erf(a)/a on a ∈ [0, ½] as a polynomial in s = 8a² − 1 (s ∈ [−1, 1]).
    private const float S0 = 1.083075285e+00f, S1 = -4.364205152e-02f, S2 = 1.613071538e-03f, S3 = -4.765271660e-05f, S4 = 1.152119808e-06f;

    // (1 + a)·erfcx(a) on a ∈ [½, ∞) as a polynomial in s = 1.25·(a − 2)/(a + 2) − 0.25 (s ∈ [−1, 1]).
    private const float L0 = 7.160046101e-01f, L1 = -1.924394667e-01f, L2 = 3.669114411e-02f, L3 = 1.165311132e-02f;
    private const float L4 = -9.601172991e-03f, L5 = 1.306600636e-03f, L6 = 8.627024363e-04f, L7 = -2.139990247e-04f;
    private const float L8 = -1.070267317e-04f, L9 = 2.078839861e-05f, L10 = 1.229882582e-05f;

    /// <summary>Scalar specification of <see cref="Forward"/>: output[i] = input[i]·Φ(input[i]) with the accurate Φ.</summary>
    /// <param name="output">Length n (n = input.Length).</param>
    /// <param name="input">Length n.</param>
    internal static void ForwardScalar(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            output[i] = x * Cdf(x, out _);
        }
    }

    /// <summary>Scalar specification of <see cref="Backward"/> (adds), with the accurate Φ and exp.</summary>
    /// <param name="dInput">Length n; accumulated into.</param>
    /// <param name="dOutput">Length n.</param>
    /// <param name="input">Length n: the forward input.</param>
    internal static void BackwardScalar(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(dInput.Length, input.Length, nameof(dInput));
        KernelGuard.Length(dOutput.Length, input.Length, nameof(dOutput));
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            float cdf = Cdf(x, out float gaussian);
            dInput[i] += dOutput[i] * MathF.FusedMultiplyAdd(x * InvSqrt2Pi, gaussian, cdf);
        }
    }

    /// <summary>erf(x) in float, |error| ≤ 2e-7 (scalar).</summary>
    public static float Erf(float x)
    {
        float a = MathF.Min(MathF.Abs(x), Clamp);
        float r = a < 0.5f ? SmallErf(a) : 1f - LargeErfc(a, ExpNegSquare(a));
        return MathF.CopySign(r, x);
    }

    /// <summary>Φ(x) and, through <paramref name="gaussian"/>, exp(−x²/2) (scalar).</summary>
    private static float Cdf(float x, out float gaussian)
    {
        float xc = Math.Clamp(x, -Clamp, Clamp);
        float a = MathF.Abs(xc) * InvSqrt2;
        gaussian = ExpNegHalfSquare(xc);
        if (a < 0.5f)
        {
            float halfErf = 0.5f * SmallErf(a);
            return x < 0f ? 0.5f - halfErf : 0.5f + halfErf;
        }

        // exp(−a²) = exp(−x²/2) exactly in exact arithmetic, so the accurate Gaussian doubles as erfc's factor.
        float halfErfc = 0.5f * LargeErfc(a, gaussian);
        return x < 0f ? halfErfc : 1f - halfErfc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SmallErf(float a)
    {
        float s = MathF.FusedMultiplyAdd(8f * a, a, -1f);
        float p = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(S4, s, S3), s, S2), s, S1), s, S0);
        return a * p;
    }

    /// <summary>erfc(a) for a ≥ ½ given <paramref name="expNegASquared"/> = exp(−a²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LargeErfc(float a, float expNegASquared)
    {
        float s = MathF.FusedMultiplyAdd(1.25f, (a - 2f) / (a + 2f), -0.25f);
        float p = L10;
        p = MathF.FusedMultiplyAdd(p, s, L9);
        p = MathF.FusedMultiplyAdd(p, s, L8);
        p = MathF.FusedMultiplyAdd(p, s, L7);
        p = MathF.FusedMultiplyAdd(p, s, L6);
        p = MathF.FusedMultiplyAdd(p, s, L5);
        p = MathF.FusedMultiplyAdd(p, s, L4);
        p = MathF.FusedMultiplyAdd(p, s, L3);
        p = MathF.FusedMultiplyAdd(p, s, L2);
        p = MathF.FusedMultiplyAdd(p, s, L1);
        p = MathF.FusedMultiplyAdd(p, s, L0);
        return expNegASquared * (p / (1f + a));
    }

    /// <summary>exp(−x²/2) from the exact x² = hi + lo: exp(−hi/2)·(1 − lo/2) (|lo/2| ≤ 2⁻²⁴·x², so one term suffices).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpNegHalfSquare(float x)
    {
        float hi = x * x;
        float lo = MathF.FusedMultiplyAdd(x, x, -hi);
        float e = MathF.Exp(-0.5f * hi);
        return MathF.FusedMultiplyAdd(e, -0.5f * lo, e);
    }

    /// <summary>exp(−a²) with the same exact-square correction (used by <see cref="Erf(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpNegSquare(float a)
    {
        float hi = a * a;
        float lo = MathF.FusedMultiplyAdd(a, a, -hi);
        float e = MathF.Exp(-hi);
        return MathF.FusedMultiplyAdd(e, -lo, e);
    }
}
