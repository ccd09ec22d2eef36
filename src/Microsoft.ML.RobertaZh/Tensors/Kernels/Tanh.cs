using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Hyperbolic tangent, the activation of BERT's pooler (HF BertPooler: tanh(W·h[CLS] + b)).
/// Pooler-sized inputs (batch × hidden) are small, so this kernel stays on the calling thread.
/// </summary>
internal static class Tanh
{
    /// <summary>output[i] = tanh(input[i]) (vectorized by TensorPrimitives).</summary>
    /// <param name="output">Length n (n = input.Length); may alias <paramref name="input"/> exactly.</param>
    /// <param name="input">Length n, elementwise.</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        TensorPrimitives.Tanh(input, output[..input.Length]);
    }

    /// <summary>dInput[i] += dOutput[i]·(1 − output[i]²). Adds into <paramref name="dInput"/>.</summary>
    /// <param name="dInput">Length n; accumulated into.</param>
    /// <param name="dOutput">Length n.</param>
    /// <param name="output">Length n: the forward output y = tanh(x) (not the input).</param>
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> output)
    {
        int n = output.Length;
        KernelGuard.Length(dOutput.Length, n, nameof(dOutput));
        KernelGuard.Length(dInput.Length, n, nameof(dInput));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float y = ref MemoryMarshal.GetReference(output);
            ref float g = ref MemoryMarshal.GetReference(dOutput);
            ref float d = ref MemoryMarshal.GetReference(dInput);
            for (; i <= n - 8; i += 8)
            {
                var yv = Vector256.LoadUnsafe(ref y, (nuint)i);
                var slope = Vector256.FusedMultiplyAdd(-yv, yv, Vector256<float>.One);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref g, (nuint)i), slope, Vector256.LoadUnsafe(ref d, (nuint)i))
                    .StoreUnsafe(ref d, (nuint)i);
            }
        }

        // Scalar tail: the same two fused operations, so results do not depend on the position of an element.
        for (; i < n; i++)
        {
            float slope = MathF.FusedMultiplyAdd(-output[i], output[i], 1f);
            dInput[i] = MathF.FusedMultiplyAdd(dOutput[i], slope, dInput[i]);
        }
    }

    /// <summary>Scalar specification of <see cref="Forward"/>.</summary>
    internal static void ForwardScalar(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = MathF.Tanh(input[i]);
        }
    }
}
