namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class Tanh
{
    public static void Forward(Span<float> output, ReadOnlySpan<float> input) { for (int i = 0; i < input.Length; i++) output[i] = MathF.Tanh(input[i]); }
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> output) { for (int i = 0; i < output.Length; i++) dInput[i] += dOutput[i] * (1 - output[i] * output[i]); }
}
