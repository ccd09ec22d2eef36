namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM version over Gemm; replaced by the gemm branch.
internal static class MatMul
{
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures)
        => Gemm.Multiply(false, true, rows, outFeatures, inFeatures, input, inFeatures, weight, inFeatures, output, outFeatures, false, bias);
    public static void Backward(Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures)
    {
        if (!dInput.IsEmpty) Gemm.Multiply(false, false, rows, inFeatures, outFeatures, dOutput, outFeatures, weight, inFeatures, dInput, inFeatures, true);
        Gemm.Multiply(true, false, outFeatures, inFeatures, rows, dOutput, outFeatures, input, inFeatures, dWeight, inFeatures, true);
        if (!dBias.IsEmpty) for (int r = 0; r < rows; r++) for (int j = 0; j < outFeatures; j++) dBias[j] += dOutput[r * outFeatures + j];
    }
}
