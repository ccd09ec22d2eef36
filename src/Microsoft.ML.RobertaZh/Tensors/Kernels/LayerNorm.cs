namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class LayerNorm
{
    public static void Forward(Span<float> output, Span<float> mean, Span<float> rstd, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int hidden, float eps)
    {
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * hidden, hidden);
            double m = 0; for (int j = 0; j < hidden; j++) m += x[j]; m /= hidden;
            double v = 0; for (int j = 0; j < hidden; j++) v += (x[j] - m) * (x[j] - m); v /= hidden;
            double s = 1.0 / Math.Sqrt(v + eps);
            mean[r] = (float)m; rstd[r] = (float)s;
            var o = output.Slice(r * hidden, hidden);
            for (int j = 0; j < hidden; j++) o[j] = (float)((x[j] - m) * s) * weight[j] + bias[j];
        }
    }
    public static void Backward(Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int rows, int hidden)
    {
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * hidden, hidden);
            var dy = dOutput.Slice(r * hidden, hidden);
            var dx = dInput.Slice(r * hidden, hidden);
            double dnMean = 0, dnDotN = 0;
            for (int j = 0; j < hidden; j++)
            {
                double n = (x[j] - mean[r]) * rstd[r];
                double dn = dy[j] * weight[j];
                dnMean += dn; dnDotN += dn * n;
                dWeight[j] += (float)(dy[j] * n); dBias[j] += dy[j];
            }
            dnMean /= hidden; dnDotN /= hidden;
            for (int j = 0; j < hidden; j++)
            {
                double n = (x[j] - mean[r]) * rstd[r];
                double dn = dy[j] * weight[j];
                dx[j] += (float)((dn - dnMean - n * dnDotN) * rstd[r]);
            }
        }
    }
}
