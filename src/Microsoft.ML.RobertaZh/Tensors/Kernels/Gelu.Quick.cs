using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// The quick GELU of the int8 inference path (<see cref="Int8Gemm"/>'s dequantizing store): x·Φ(x) with
/// Φ(x) = ½(1 + sign(x)·erf(|x|/√2)) and erf(z) ≈ 1 − (1 + a₁z + … + a₆z⁶)⁻¹⁶ (Abramowitz and Stegun 7.1.28: absolute
/// error ≤ 3e-7 for z ≥ 0 in exact arithmetic). Six FMAs, four squarings and one division per vector, about a third
/// of the operations of <see cref="Cdf(Vector512{float}, out Vector512{float})"/>.
/// <para>
/// Absolute error against the exact GELU ≤ 1e-6·|x| + 3e-7·|gelu(x)| (tested; the float rounding of the polynomial,
/// which the 16th power amplifies, adds to the formula's own error), far below the int8 path's own rounding (one
/// quantization step is max|row|/127). The relative error grows in the far negative tail, where GELU itself is below
/// 1e-6, which is why the full-precision path keeps <see cref="Forward"/>. The 16-lane, 8-lane and scalar versions use
/// the same operations in the same order, so they give bit-identical results. Large |x|: the 16th power overflows to
/// +∞ and erf becomes exactly 1.
/// </para>
/// </summary>
internal static partial class Gelu
{
    private const float A1 = 0.0705230784f, A2 = 0.0422820123f, A3 = 0.0092705272f;
    private const float A4 = 0.0001520143f, A5 = 0.0002765672f, A6 = 0.0000430638f;

    /// <summary>The quick GELU of one value (the scalar path and the vector tails).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ApplyQuick(float x)
    {
        float z = MathF.Abs(x) * InvSqrt2;
        float p = MathF.FusedMultiplyAdd(A6, z, A5);
        p = MathF.FusedMultiplyAdd(p, z, A4);
        p = MathF.FusedMultiplyAdd(p, z, A3);
        p = MathF.FusedMultiplyAdd(p, z, A2);
        p = MathF.FusedMultiplyAdd(p, z, A1);
        p = MathF.FusedMultiplyAdd(p, z, 1f);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        float erf = 1f - 1f / p;
        float signedHalf = x < 0f ? -0.5f * erf : 0.5f * erf;
        return x * (0.5f + signedHalf);
    }

    /// <summary><see cref="ApplyQuick(float)"/> on 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ApplyQuick(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * Vector512.Create(InvSqrt2);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(A6), z, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A4));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(A1));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512<float>.One);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        var erf = Vector512<float>.One - Vector512<float>.One / p;
        var half = Vector512.Create(0.5f);
        var signedHalf = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -half * erf, half * erf);
        return x * (half + signedHalf);
    }

    /// <summary><see cref="ApplyQuick(float)"/> on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ApplyQuick(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * Vector256.Create(InvSqrt2);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(A6), z, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A4));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(A1));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256<float>.One);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        var erf = Vector256<float>.One - Vector256<float>.One / p;
        var half = Vector256.Create(0.5f);
        var signedHalf = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -half * erf, half * erf);
        return x * (half + signedHalf);
    }
}
