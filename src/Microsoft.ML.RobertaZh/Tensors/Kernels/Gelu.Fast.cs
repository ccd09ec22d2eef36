using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// The fast Φ(x) and exp(−x²/2) used by every production path (<see cref="Gelu.Forward"/>, <see cref="Gelu.Backward"/>,
/// the fused epilogues): one formula with no branches and no library calls, written three times with the same
/// operations in the same order — on 16 lanes (Vector512), on 8 lanes (Vector256) and on one (the portable scalar
/// path, also used for vector tails) — so all three give bit-identical results, whatever the CPU.
/// <para>
/// With z = min(|x|, 13): exp(−z²/2) is computed from the exact square z² = hi + lo (an FMA) by Cody–Waite reduction
/// (n = round(−hi/2·log₂e), r = −hi/2 − n·ln2 − lo/2) and <see cref="FastExp.Reduced(float, float)"/> (n ≥ −122, so never
/// denormal). Then ½·erfc(a), a = z/√2, is exp(−z²/2)·(3/2)·t·G(1 − 6t)
/// with t = 1/(3 + a) and G(Y) = erfcx(a)·(3 + a)/3 a degree-9 polynomial in Y = (a − 3)/(a + 3) ∈ [−1, 0.51]
/// (coefficients fitted for this project by Chebyshev interpolation, max error 1.5e-9 on G ∈ [0.25, 1]). Φ(x) is
/// that tail for x &lt; 0 and one minus it otherwise, with no cancellation in the negative tail; beyond |x| &gt; 13,
/// Φ is exactly 0 or 1 and the Gaussian exactly 0 (their float values, up to 4e-38).
/// </para>
/// <para>
/// Error against the specification (<see cref="ForwardScalar"/>) and a double reference, measured in the tests over a
/// dense sweep of [−14, 14] and beyond: gelu within 1e-6 relative (typically 2e-7), gelu′ within 2e-7 relative to
/// |dOut|·(1 + |gelu′|); cost about 45 vector operations and one division per vector.
/// </para>
/// </summary>
internal static partial class Gelu
{
    private const float Limit = 13f;
    private const float C = 3f, HalfC = 1.5f, TwoC = 6f;
    private const float G0 = 3.580023050e-01f, G1 = -2.944648266e-01f, G2 = 1.967427880e-01f, G3 = -1.034889221e-01f, G4 = 3.984260932e-02f;
    private const float G5 = -8.944963105e-03f, G6 = -4.057525366e-04f, G7 = 1.024492551e-03f, G8 = -1.679167763e-04f, G9 = -1.117600696e-04f;

    /// <summary>Φ(x) and exp(−x²/2) (0 beyond |x| &gt; 13) on one lane: the portable path and the vector tails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float CdfPortable(float x, out float gaussian)
    {
        float abs = MathF.Abs(x);
        float z = abs < Limit ? abs : Limit; // = vminps(|x|, Limit), NaN → Limit
        float hi = z * z;
        float lo = MathF.FusedMultiplyAdd(z, z, -hi);
        float u = hi * -0.5f;
        float n = MathF.Round(u * FastExp.Log2E);
        float r = MathF.FusedMultiplyAdd(n, -FastExp.Ln2Hi, u);
        r = MathF.FusedMultiplyAdd(n, -FastExp.Ln2Lo, r);
        r = MathF.FusedMultiplyAdd(lo, -0.5f, r);
        float e = FastExp.Reduced(n, r);
        gaussian = abs > Limit ? 0f : e;
        float t = 1f / ((z * InvSqrt2) + C);
        float y = MathF.FusedMultiplyAdd(t, -TwoC, 1f);
        float g = MathF.FusedMultiplyAdd(G9, y, G8);
        g = MathF.FusedMultiplyAdd(g, y, G7);
        g = MathF.FusedMultiplyAdd(g, y, G6);
        g = MathF.FusedMultiplyAdd(g, y, G5);
        g = MathF.FusedMultiplyAdd(g, y, G4);
        g = MathF.FusedMultiplyAdd(g, y, G3);
        g = MathF.FusedMultiplyAdd(g, y, G2);
        g = MathF.FusedMultiplyAdd(g, y, G1);
        g = MathF.FusedMultiplyAdd(g, y, G0);
        float tail = (gaussian * HalfC) * (t * g);
        return x < 0f ? tail : 1f - tail;
    }

    /// <summary><see cref="CdfPortable"/> on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Cdf(Vector512<float> x, out Vector512<float> gaussian)
    {
        var abs = Vector512.Abs(x);
        var z = Vector512.MinNative(abs, Vector512.Create(Limit));
        var hi = z * z;
        var lo = Vector512.FusedMultiplyAdd(z, z, -hi);
        var u = hi * Vector512.Create(-0.5f);
        var n = Vector512.Round(u * Vector512.Create(FastExp.Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-FastExp.Ln2Hi), u);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-FastExp.Ln2Lo), r);
        r = Vector512.FusedMultiplyAdd(lo, Vector512.Create(-0.5f), r);
        var e = FastExp.Reduced(n, r);
        gaussian = Vector512.AndNot(e, Vector512.GreaterThan(abs, Vector512.Create(Limit)));
        var t = Vector512<float>.One / ((z * Vector512.Create(InvSqrt2)) + Vector512.Create(C));
        var y = Vector512.FusedMultiplyAdd(t, Vector512.Create(-TwoC), Vector512<float>.One);
        var g = Vector512.FusedMultiplyAdd(Vector512.Create(G9), y, Vector512.Create(G8));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G7));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G6));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G5));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G4));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G3));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G2));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G1));
        g = Vector512.FusedMultiplyAdd(g, y, Vector512.Create(G0));
        var tail = (gaussian * Vector512.Create(HalfC)) * (t * g);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), tail, Vector512<float>.One - tail);
    }

    /// <summary><see cref="CdfPortable"/> on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Cdf(Vector256<float> x, out Vector256<float> gaussian)
    {
        var abs = Vector256.Abs(x);
        var z = Vector256.MinNative(abs, Vector256.Create(Limit));
        var hi = z * z;
        var lo = Vector256.FusedMultiplyAdd(z, z, -hi);
        var u = hi * Vector256.Create(-0.5f);
        var n = Vector256.Round(u * Vector256.Create(FastExp.Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-FastExp.Ln2Hi), u);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-FastExp.Ln2Lo), r);
        r = Vector256.FusedMultiplyAdd(lo, Vector256.Create(-0.5f), r);
        var e = FastExp.Reduced(n, r);
        gaussian = Vector256.AndNot(e, Vector256.GreaterThan(abs, Vector256.Create(Limit)));
        var t = Vector256<float>.One / ((z * Vector256.Create(InvSqrt2)) + Vector256.Create(C));
        var y = Vector256.FusedMultiplyAdd(t, Vector256.Create(-TwoC), Vector256<float>.One);
        var g = Vector256.FusedMultiplyAdd(Vector256.Create(G9), y, Vector256.Create(G8));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G7));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G6));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G5));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G4));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G3));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G2));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G1));
        g = Vector256.FusedMultiplyAdd(g, y, Vector256.Create(G0));
        var tail = (gaussian * Vector256.Create(HalfC)) * (t * g);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), tail, Vector256<float>.One - tail);
    }
}
