using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Exact (erf) GELU as Hugging Face's "gelu" activation / torch.nn.functional.gelu(approximate='none'):
/// gelu(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), gelu'(x) = Φ(x) + x·φ(x) with φ the standard normal density.
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
internal static class Gelu
{
    private const int ChunkSize = 1 << 14;
    private const float InvSqrt2 = 0.707106781186547524f;
    private const float InvSqrt2Pi = 0.398942280401432678f;

    // The polynomial inputs are clamped here: Φ(±20) is exactly 1 / 0 in float and exp(−200) underflows, while
    // infinities would otherwise produce ∞·0 or ∞/∞ inside the approximation.
    private const float Clamp = 20f;

    // erf(a)/a on a ∈ [0, ½] as a polynomial in s = 8a² − 1 (s ∈ [−1, 1]).
    private const float S0 = 1.083075285e+00f, S1 = -4.364205152e-02f, S2 = 1.613071538e-03f, S3 = -4.765271660e-05f, S4 = 1.152119808e-06f;

    // (1 + a)·erfcx(a) on a ∈ [½, ∞) as a polynomial in s = 1.25·(a − 2)/(a + 2) − 0.25 (s ∈ [−1, 1]).
    private const float L0 = 7.160046101e-01f, L1 = -1.924394667e-01f, L2 = 3.669114411e-02f, L3 = 1.165311132e-02f;
    private const float L4 = -9.601172991e-03f, L5 = 1.306600636e-03f, L6 = 8.627024363e-04f, L7 = -2.139990247e-04f;
    private const float L8 = -1.070267317e-04f, L9 = 2.078839861e-05f, L10 = 1.229882582e-05f;

    /// <summary>output[i] = gelu(input[i]).</summary>
    /// <param name="output">Length n (n = input.Length); may alias <paramref name="input"/> exactly.</param>
    /// <param name="input">Length n, elementwise (any layout).</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        Run(output[..input.Length], default, input, backward: false);
    }

    /// <summary>dInput[i] += dOutput[i]·gelu'(input[i]). Adds into <paramref name="dInput"/>.</summary>
    /// <param name="dInput">Length n; accumulated into.</param>
    /// <param name="dOutput">Length n.</param>
    /// <param name="input">Length n: the forward input x (not the output).</param>
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(dOutput.Length, input.Length, nameof(dOutput));
        KernelGuard.Length(dInput.Length, input.Length, nameof(dInput));
        Run(dInput[..input.Length], dOutput, input, backward: true);
    }

    /// <summary>
    /// gradient[i] = gradient[i]·gelu'(input[i]) in place: the same values as clearing a buffer and calling
    /// <see cref="Backward"/> into it (the product is formed by the same fused multiply-add with a zero addend), without
    /// the extra buffer and the passes that clear and re-read it.
    /// </summary>
    /// <param name="gradient">Length n: dOutput on entry, dInput on return.</param>
    /// <param name="input">Length n: the forward input.</param>
    internal static void BackwardInPlace(Span<float> gradient, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(gradient.Length, input.Length, nameof(gradient));
        Run(gradient[..input.Length], gradient, input, backward: true, overwrite: true);
    }

    /// <summary>values[i] = gelu(values[i]) in place (for fused matmul epilogues).</summary>
    /// <param name="values">Any length, elementwise.</param>
    public static void Apply(Span<float> values) => Run(values, default, values, backward: false);

    /// <summary>
    /// values[i] = gelu(values[i]) in place on the calling thread only, for epilogues that already run per row block
    /// on a worker; the same arithmetic as <see cref="Forward"/> element by element, so results are identical.
    /// </summary>
    /// <param name="values">Any length, elementwise.</param>
    internal static void ApplySerial(Span<float> values) => RunRange(values, default, values, backward: false);

    /// <summary>Scalar specification of <see cref="Forward"/>.</summary>
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

    /// <summary>Scalar specification of <see cref="Backward"/> (adds).</summary>
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

    /// <summary>erf on 8 lanes (same approximation as <see cref="Erf(float)"/>).</summary>
    internal static Vector256<float> Erf(Vector256<float> x)
    {
        var a = Vector256.Min(Vector256.Abs(x), Vector256.Create(Clamp));
        var small = SmallErf(a);
        var large = Vector256<float>.One - LargeErfc(a, ExpNegSquare(a));
        var r = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(0.5f)), small, large);
        return Vector256.CopySign(r, x);
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

    /// <summary>Φ(x) and exp(−x²/2) on 8 lanes; same formulas as the scalar path.</summary>
    private static Vector256<float> Cdf(Vector256<float> x, out Vector256<float> gaussian)
    {
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var a = Vector256.Abs(xc) * Vector256.Create(InvSqrt2);
        gaussian = ExpNegHalfSquare(xc);
        var half = Vector256.Create(0.5f);
        var isSmall = Vector256.LessThan(a, half);
        var h = half * Vector256.ConditionalSelect(isSmall, SmallErf(a), LargeErfc(a, gaussian));
        var positive = Vector256.ConditionalSelect(isSmall, half + h, Vector256<float>.One - h);
        var negative = Vector256.ConditionalSelect(isSmall, half - h, h);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), negative, positive);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SmallErf(float a)
    {
        float s = MathF.FusedMultiplyAdd(8f * a, a, -1f);
        float p = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(S4, s, S3), s, S2), s, S1), s, S0);
        return a * p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SmallErf(Vector256<float> a)
    {
        var s = Vector256.FusedMultiplyAdd(Vector256.Create(8f) * a, a, Vector256.Create(-1f));
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(S4), s, Vector256.Create(S3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(S0));
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LargeErfc(Vector256<float> a, Vector256<float> expNegASquared)
    {
        var two = Vector256.Create(2f);
        var s = Vector256.FusedMultiplyAdd(Vector256.Create(1.25f), (a - two) / (a + two), Vector256.Create(-0.25f));
        var p = Vector256.Create(L10);
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L9));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L8));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L7));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L6));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L5));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L4));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L3));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L2));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L1));
        p = Vector256.FusedMultiplyAdd(p, s, Vector256.Create(L0));
        return expNegASquared * (p / (Vector256<float>.One + a));
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNegHalfSquare(Vector256<float> x)
    {
        var hi = x * x;
        var lo = Vector256.FusedMultiplyAdd(x, x, -hi);
        var e = Vector256.Exp(Vector256.Create(-0.5f) * hi);
        return Vector256.FusedMultiplyAdd(e, Vector256.Create(-0.5f) * lo, e);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNegSquare(Vector256<float> a)
    {
        var hi = a * a;
        var lo = Vector256.FusedMultiplyAdd(a, a, -hi);
        var e = Vector256.Exp(-hi);
        return Vector256.FusedMultiplyAdd(e, -lo, e);
    }

    /// <summary>Dispatch: small inputs inline, large ones in fixed chunks over the thread pool.</summary>
    private static unsafe void Run(Span<float> destination, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, bool backward, bool overwrite = false)
    {
        int n = input.Length;
        int chunks = KernelParallel.ChunkCount(n, ChunkSize);
        if (!KernelParallel.ShouldParallelize((long)n * 16, chunks))
        {
            RunRange(destination, dOutput, input, backward, overwrite);
            return;
        }

        fixed (float* pd = destination)
        fixed (float* pg = dOutput)
        fixed (float* px = input)
        {
            nint d = (nint)pd, g = (nint)pg, xin = (nint)px;
            KernelParallel.For(chunks, c =>
            {
                int start = c * ChunkSize;
                int length = Math.Min(ChunkSize, n - start);
                var gradient = backward ? new ReadOnlySpan<float>((float*)g + start, length) : default;
                RunRange(new Span<float>((float*)d + start, length), gradient, new ReadOnlySpan<float>((float*)xin + start, length), backward, overwrite);
            });
        }
    }

    /// <summary>
    /// SIMD path: 8 lanes at a time; the tail goes through a padded stack vector so every element sees exactly the
    /// same arithmetic (no scalar tail with different exp rounding). Falls back to the scalar spec without Vector256.
    /// </summary>
    /// <param name="destination">Output (forward) or gradient accumulated into (backward).</param>
    /// <param name="dOutput">Backward only: the output gradient (may alias <paramref name="destination"/> when overwriting).</param>
    /// <param name="input">The forward input.</param>
    /// <param name="backward">Gradient instead of value.</param>
    /// <param name="overwrite">Backward only: write dOutput·gelu' (as if destination were zero) instead of adding.</param>
    private static void RunRange(Span<float> destination, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, bool backward, bool overwrite = false)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            if (backward && overwrite)
            {
                // Scalar spec with a zero accumulator: 0 + g·gelu'(x), element by element (in place is safe).
                for (int k = 0; k < input.Length; k++)
                {
                    float x0 = input[k];
                    float cdf = Cdf(x0, out float gaussian);
                    destination[k] = 0f + dOutput[k] * MathF.FusedMultiplyAdd(x0 * InvSqrt2Pi, gaussian, cdf);
                }
            }
            else if (backward)
            {
                BackwardScalar(destination, dOutput, input);
            }
            else
            {
                ForwardScalar(destination, input);
            }

            return;
        }

        int n = input.Length;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float d = ref MemoryMarshal.GetReference(destination);
        ref float g = ref MemoryMarshal.GetReference(dOutput);
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            Vector256<float> r = backward
                ? Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref g, (nuint)i), Derivative(v), overwrite ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref d, (nuint)i))
                : v * Cdf(v, out _);
            r.StoreUnsafe(ref d, (nuint)i);
        }

        int rest = n - i;
        if (rest > 0)
        {
            Span<float> buffer = stackalloc float[24];
            input.Slice(i, rest).CopyTo(buffer);
            var v = Vector256.Create((ReadOnlySpan<float>)buffer);
            Vector256<float> r;
            if (backward)
            {
                dOutput.Slice(i, rest).CopyTo(buffer[8..]);
                if (overwrite) buffer[16..].Clear();
                else destination.Slice(i, rest).CopyTo(buffer[16..]);
                r = Vector256.FusedMultiplyAdd(Vector256.Create((ReadOnlySpan<float>)buffer[8..]), Derivative(v), Vector256.Create((ReadOnlySpan<float>)buffer[16..]));
            }
            else
            {
                r = v * Cdf(v, out _);
            }

            r.CopyTo(buffer);
            buffer[..rest].CopyTo(destination[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Derivative(Vector256<float> x)
    {
        var cdf = Cdf(x, out var gaussian);
        return Vector256.FusedMultiplyAdd(x * Vector256.Create(InvSqrt2Pi), gaussian, cdf);
    }
}
