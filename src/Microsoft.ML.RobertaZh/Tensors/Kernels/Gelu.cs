using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Exact (erf) GELU as Hugging Face's "gelu" activation / torch.nn.functional.gelu(approximate='none'):
/// gelu(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), gelu'(x) = Φ(x) + x·φ(x) with φ the standard normal density.
/// <para>
/// Every production path evaluates Φ with the fast branch-free formula of Gelu.Fast.cs, on 16 lanes (AVX-512), 8 lanes
/// (AVX2) or one (elsewhere, and for tails), bit-identically across the three. <see cref="ForwardScalar"/> and
/// <see cref="BackwardScalar"/> (Gelu.Specification.cs) are the slower accurate specification the fast path is tested
/// against.
/// </para>
/// </summary>
internal static partial class Gelu
{
    private const int ChunkSize = 1 << 14;
    private const float InvSqrt2 = 0.707106781186547524f;
    private const float InvSqrt2Pi = 0.398942280401432678f;

    /// <summary>output[i] = gelu(input[i]).</summary>
    /// <param name="output">Length n (n = input.Length); may alias <paramref name="input"/> exactly.</param>
    /// <param name="input">Length n, elementwise (any layout).</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        Run(output[..input.Length], default, input, backward: false);
    }

    /// <summary>dInput[i] += dOutput[i]·gelu'(input[i]). Adds into <paramref name="dInput"/>.</summary>
    /// <param name="dInput">Length n; accumulated into.</param>
    /// <param name="dOutput">Length n.</param>
    /// <param name="input">Length n: the forward input x (not the output).</param>
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(dOutput.Length, input.Length, nameof(dOutput));
        KernelGuard.Length(dInput.Length, input.Length, nameof(dInput));
        Run(dInput[..input.Length], dOutput, input, backward: true);
    }

    /// <summary>
    /// gradient[i] = gradient[i]·gelu'(input[i]) in place: the same values as clearing a buffer and calling
    /// <see cref="Backward"/> into it (the product is formed by the same fused multiply-add with a zero addend), without
    /// the extra buffer and the passes that clear and re-read it.
    /// </summary>
    /// <param name="gradient">Length n: dOutput on entry, dInput on return.</param>
    /// <param name="input">Length n: the forward input.</param>
    internal static void BackwardInPlace(Span<float> gradient, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(gradient.Length, input.Length, nameof(gradient));
        Run(gradient[..input.Length], gradient, input, backward: true, overwrite: true);
    }

    /// <summary>values[i] = gelu(values[i]) in place (for fused matmul epilogues).</summary>
    /// <param name="values">Any length, elementwise.</param>
    public static void Apply(Span<float> values) => Run(values, default, values, backward: false);

    /// <summary>
    /// values[i] = gelu(values[i]) in place on the calling thread only, for epilogues that already run per row block
    /// on a worker; the same arithmetic as <see cref="Forward"/> element by element, so results are identical.
    /// </summary>
    /// <param name="values">Any length, elementwise.</param>
    internal static void ApplySerial(Span<float> values) => RunRange(values, default, values, backward: false);

    /// <summary>
    /// <see cref="Forward"/> on the portable one-lane path only (no vectors): bit-identical to <see cref="Forward"/>
    /// on any CPU; for tests.
    /// </summary>
    /// <param name="output">Length n (n = input.Length).</param>
    /// <param name="input">Length n.</param>
    internal static void ForwardPortable(Span<float> output, ReadOnlySpan<float> input)
    {
        KernelGuard.Length(output.Length, input.Length, nameof(output));
        for (int i = 0; i < input.Length; i++) output[i] = input[i] * CdfPortable(input[i], out _);
    }

    /// <summary>gelu on 16 lanes: the same value as <see cref="Forward"/> gives each element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Apply(Vector512<float> x) => x * Cdf(x, out _);

    /// <summary>gelu on 8 lanes: the same value as <see cref="Forward"/> gives each element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Apply(Vector256<float> x) => x * Cdf(x, out _);

    /// <summary>gelu of one value: the same value as <see cref="Forward"/> gives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Apply(float x) => x * CdfPortable(x, out _);

    /// <summary>Dispatch: small inputs inline, large ones in fixed chunks over the thread pool.</summary>
    private static unsafe void Run(Span<float> destination, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, bool backward, bool overwrite = false)
    {
        int n = input.Length;
        int chunks = KernelParallel.ChunkCount(n, ChunkSize);
        if (!KernelParallel.ShouldParallelize((long)n * 16, chunks))
        {
            RunRange(destination, dOutput, input, backward, overwrite);
            return;
        }

        fixed (float* pd = destination)
        fixed (float* pg = dOutput)
        fixed (float* px = input)
        {
            nint d = (nint)pd, g = (nint)pg, xin = (nint)px;
            KernelParallel.For(chunks, c =>
            {
                int start = c * ChunkSize;
                int length = Math.Min(ChunkSize, n - start);
                var gradient = backward ? new ReadOnlySpan<float>((float*)g + start, length) : default;
                RunRange(new Span<float>((float*)d + start, length), gradient, new ReadOnlySpan<float>((float*)xin + start, length), backward, overwrite);
            });
        }
    }

    /// <summary>
    /// 16 lanes at a time where AVX-512 is available, then 8, then one: the three evaluate the same formula with the
    /// same operations, so every element gets the same value whichever path computes it.
    /// </summary>
    /// <param name="destination">Output (forward) or gradient accumulated into (backward).</param>
    /// <param name="dOutput">Backward only: the output gradient (may alias <paramref name="destination"/> when overwriting).</param>
    /// <param name="input">The forward input.</param>
    /// <param name="backward">Gradient instead of value.</param>
    /// <param name="overwrite">Backward only: write 0 + dOutput·gelu' (as if destination were zero) instead of adding.</param>
    private static void RunRange(Span<float> destination, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, bool backward, bool overwrite = false)
    {
        int n = input.Length;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float d = ref MemoryMarshal.GetReference(destination);
        ref float g = ref MemoryMarshal.GetReference(dOutput);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)i);
                var cdf = Cdf(v, out var gaussian);
                Vector512<float> r = backward
                    ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref g, (nuint)i), Vector512.FusedMultiplyAdd(v * Vector512.Create(InvSqrt2Pi), gaussian, cdf),
                        overwrite ? Vector512<float>.Zero : Vector512.LoadUnsafe(ref d, (nuint)i))
                    : v * cdf;
                r.StoreUnsafe(ref d, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)i);
                var cdf = Cdf(v, out var gaussian);
                Vector256<float> r = backward
                    ? Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref g, (nuint)i), Vector256.FusedMultiplyAdd(v * Vector256.Create(InvSqrt2Pi), gaussian, cdf),
                        overwrite ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref d, (nuint)i))
                    : v * cdf;
                r.StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref x, i);
            float cdf = CdfPortable(v, out float gaussian);
            Unsafe.Add(ref d, i) = backward
                ? MathF.FusedMultiplyAdd(Unsafe.Add(ref g, i), MathF.FusedMultiplyAdd(v * InvSqrt2Pi, gaussian, cdf), overwrite ? 0f : Unsafe.Add(ref d, i))
                : v * cdf;
        }
    }
}
