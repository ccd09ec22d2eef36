using System.Runtime.Intrinsics;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class FastExpTests
{
    private static float[] Sweep() =>
        [.. Enumerable.Range(0, 1_000_001).Select(i => -100f + (i * 1e-4f)), 0f, -0f, -1e-30f, -1e-45f, FastExp.Underflow,
            MathF.BitDecrement(FastExp.Underflow), MathF.BitIncrement(FastExp.Underflow), -1e30f, float.MinValue, float.NegativeInfinity];

    [Fact]
    public void NonPositiveWithin2UlpOfDoubleExpAndZeroBelowUnderflow()
    {
        double worst = 0;
        foreach (float x in Sweep())
        {
            float e = FastExp.NonPositive(x);
            if (x < FastExp.Underflow)
            {
                Assert.Equal(0f, e);
                continue;
            }

            double exact = Math.Exp(x);
            double ulp = Math.Max(MathF.BitIncrement((float)exact) - (float)exact, float.Epsilon);
            worst = Math.Max(worst, Math.Abs(e - exact) / ulp);
        }

        Assert.True(worst <= 2, $"worst error {worst:F2} ulp");
        Assert.Equal(1f, FastExp.NonPositive(0f));
        Assert.True(float.IsNaN(FastExp.NonPositive(float.NaN)));
    }

    [Fact]
    public void VectorLanesAreBitIdenticalToOneLane()
    {
        var x = Sweep();
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var v512 = Vector512.IsHardwareAccelerated ? FastExp.NonPositive(Vector512.Create(x.AsSpan(i, 16))) : default;
            var v256 = Vector256.IsHardwareAccelerated ? FastExp.NonPositive(Vector256.Create(x.AsSpan(i, 8))) : default;
            for (int l = 0; l < 16; l++)
            {
                int expected = BitConverter.SingleToInt32Bits(FastExp.NonPositive(x[i + l]));
                if (Vector512.IsHardwareAccelerated) Assert.Equal(expected, BitConverter.SingleToInt32Bits(v512[l]));
                if (Vector256.IsHardwareAccelerated && l < 8) Assert.Equal(expected, BitConverter.SingleToInt32Bits(v256[l]));
            }
        }
    }
}
