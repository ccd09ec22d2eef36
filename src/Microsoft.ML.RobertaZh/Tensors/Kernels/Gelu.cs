namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class Gelu
{
    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is too coarse; use series/continued fraction via erfc from a high-precision formula.
        double t = 1.0 / (1.0 + 0.5 * Math.Abs(x));
        double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
    public static void Forward(Span<float> output, ReadOnlySpan<float> input)
    {
        for (int i = 0; i < input.Length; i++) { double x = input[i]; output[i] = (float)(0.5 * x * (1 + Erf(x / Math.Sqrt(2)))); }
    }
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input)
    {
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i];
            double cdf = 0.5 * (1 + Erf(x / Math.Sqrt(2)));
            double pdf = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            dInput[i] += (float)(dOutput[i] * (cdf + x * pdf));
        }
    }
}
