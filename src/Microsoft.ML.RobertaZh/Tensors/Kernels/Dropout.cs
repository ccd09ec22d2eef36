namespace Microsoft.ML.RobertaZh.Tensors.Kernels;
// INTERIM scalar version; replaced by the kernels branch.
internal static class Dropout
{
    private static ulong Mix(ulong z) { z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL; return z ^ (z >> 31); }
    public static void Forward(Span<float> output, Span<byte> mask, ReadOnlySpan<float> input, float p, ulong seed, ulong stream)
    {
        if (p == 0) { input.CopyTo(output); return; }
        float scale = 1f / (1f - p);
        for (int i = 0; i < input.Length; i++)
        {
            double u = (Mix(seed ^ Mix(stream * 0x9E3779B97F4A7C15UL + (ulong)i)) >> 11) * (1.0 / (1UL << 53));
            mask[i] = u >= p ? (byte)1 : (byte)0;
            output[i] = mask[i] != 0 ? input[i] * scale : 0f;
        }
    }
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<byte> mask, float p)
    {
        if (p == 0) { for (int i = 0; i < dOutput.Length; i++) dInput[i] += dOutput[i]; return; }
        float scale = 1f / (1f - p);
        for (int i = 0; i < dOutput.Length; i++) if (mask[i] != 0) dInput[i] += dOutput[i] * scale;
    }
}
