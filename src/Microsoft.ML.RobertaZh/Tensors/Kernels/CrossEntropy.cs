namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class CrossEntropy
{
    public static float Forward(Span<float> losses, Span<float> probs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int classes, out int count, int ignoreIndex = -100)
    {
        double total = 0; count = 0;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            var p = probs.Slice(r * classes, classes);
            float max = float.NegativeInfinity; for (int j = 0; j < classes; j++) max = Math.Max(max, z[j]);
            double sum = 0; for (int j = 0; j < classes; j++) { p[j] = MathF.Exp(z[j] - max); sum += p[j]; }
            for (int j = 0; j < classes; j++) p[j] = (float)(p[j] / sum);
            int t = targets[r];
            if (t == ignoreIndex) { losses[r] = 0; continue; }
            losses[r] = (float)(-(z[t] - max - Math.Log(sum)));
            total += losses[r]; count++;
        }
        return count == 0 ? 0f : (float)(total / count);
    }
    public static void Backward(Span<float> dLogits, ReadOnlySpan<float> probs, ReadOnlySpan<int> targets, int rows, int classes, float dLoss, int ignoreIndex = -100)
    {
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            for (int j = 0; j < classes; j++) dLogits[r * classes + j] += dLoss * (probs[r * classes + j] - (j == t ? 1f : 0f));
        }
    }
}
