using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Inverted dropout as torch.nn.functional.dropout in training mode: each element is zeroed with probability p and the
/// survivors are scaled by 1/(1−p) (computed in float as torch does), so the expectation is unchanged.
/// <para>
/// The keep/drop decision for element i is a pure function of (seed, stream, i) through <see cref="CounterRng"/>
/// (Philox4x32-10): element i is dropped when the top 24 bits of its random word, read as u ∈ [0, 1), satisfy u &lt; p.
/// Masks are therefore identical for any thread count or chunking, and a slice of a large mask can be generated
/// independently by passing its element offset.
/// </para>
/// </summary>
internal static class Dropout
{
    /// <summary>Elements per parallel chunk (a multiple of 4 so chunks start on Philox block boundaries).</summary>
    private const int ChunkSize = 1 << 16;

    /// <summary>
    /// output = input ⊙ mask / (1 − p); writes the mask (1 = kept, 0 = dropped).
    /// When p == 0 this is a copy and <paramref name="mask"/> is not touched (it may be empty).
    /// When p == 1 every element is dropped and the output is zero.
    /// </summary>
    /// <param name="output">Length n (n = input.Length); may alias <paramref name="input"/> exactly.</param>
    /// <param name="mask">Length n, or empty when p == 0.</param>
    /// <param name="input">Length n, any layout (elementwise).</param>
    /// <param name="p">Drop probability in [0, 1].</param>
    /// <param name="seed">Random seed (key of the generator).</param>
    /// <param name="stream">Stream id: distinct call sites/layers/steps use distinct streams.</param>
    public static void Forward(Span<float> output, Span<byte> mask, ReadOnlySpan<float> input, float p, ulong seed, ulong stream)
    {
        KernelGuard.Probability(p, nameof(p));
        int n = input.Length;
        KernelGuard.Length(output.Length, n, nameof(output));
        if (p == 0f)
        {
            input.CopyTo(output);
            return;
        }

        KernelGuard.Length(mask.Length, n, nameof(mask));
        GenerateMask(mask[..n], p, seed, stream);
        ApplyMask(output[..n], input, mask[..n], p, accumulate: false);
    }

    /// <summary>dInput += dOutput ⊙ mask / (1 − p). Adds into <paramref name="dInput"/>. When p == 0 the mask is ignored (may be empty).</summary>
    /// <param name="dInput">Length n; accumulated into.</param>
    /// <param name="dOutput">Length n.</param>
    /// <param name="mask">Length n (from <see cref="Forward"/>), or empty when p == 0.</param>
    /// <param name="p">The drop probability used in the forward pass.</param>
    public static void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<byte> mask, float p)
    {
        KernelGuard.Probability(p, nameof(p));
        int n = dOutput.Length;
        KernelGuard.Length(dInput.Length, n, nameof(dInput));
        if (p == 0f)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dInput[..n], dOutput, dInput[..n]);
            return;
        }

        KernelGuard.Length(mask.Length, n, nameof(mask));
        ApplyMask(dInput[..n], dOutput, mask[..n], p, accumulate: true);
    }

    /// <summary>
    /// Fills <paramref name="mask"/> with keep (1) / drop (0) decisions for elements
    /// <paramref name="offset"/> … offset + mask.Length − 1 of (seed, stream). Generating a large mask in slices with
    /// the matching offsets gives exactly the same bytes as generating it at once.
    /// </summary>
    /// <param name="mask">Destination, one byte per element.</param>
    /// <param name="p">Drop probability in [0, 1].</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="stream">Stream id.</param>
    /// <param name="offset">Global index of mask[0] within the stream.</param>
    public static unsafe void GenerateMask(Span<byte> mask, float p, ulong seed, ulong stream, ulong offset = 0)
    {
        KernelGuard.Probability(p, nameof(p));
        uint threshold = Threshold(p);
        int n = mask.Length;
        int chunks = KernelParallel.ChunkCount(n, ChunkSize);
        // Philox costs ~40 integer ops per 4 elements, so the mask is worth threading from one chunk up.
        if (!KernelParallel.ShouldParallelize((long)n * 8, chunks))
        {
            FillMask(mask, threshold, seed, stream, offset);
            return;
        }

        fixed (byte* pm = mask)
        {
            nint address = (nint)pm;
            KernelParallel.For(chunks, c =>
            {
                int start = c * ChunkSize;
                int length = Math.Min(ChunkSize, n - start);
                FillMask(new Span<byte>((byte*)address + start, length), threshold, seed, stream, offset + (ulong)start);
            });
        }
    }

    /// <summary>Same as <see cref="GenerateMask"/> but always on the calling thread (for callers already running in parallel).</summary>
    /// <param name="mask">Destination, one byte per element.</param>
    /// <param name="p">Drop probability.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="stream">Stream id.</param>
    /// <param name="offset">Global index of mask[0].</param>
    internal static void GenerateMaskSerial(Span<byte> mask, float p, ulong seed, ulong stream, ulong offset) =>
        FillMask(mask, Threshold(p), seed, stream, offset);

    /// <summary>
    /// Integer form of "drop when u &lt; p" with u = k / 2^24, k the top 24 bits: drop when k &lt; ⌈p·2^24⌉.
    /// </summary>
    internal static uint Threshold(float p) => (uint)Math.Ceiling(p * 16777216.0);

    /// <summary>Scalar specification of the mask: byte i = 1 when element offset+i is kept.</summary>
    /// <param name="mask">Destination, one byte per element.</param>
    /// <param name="p">Drop probability.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="stream">Stream id.</param>
    /// <param name="offset">Global index of mask[0].</param>
    internal static void GenerateMaskScalar(Span<byte> mask, float p, ulong seed, ulong stream, ulong offset = 0)
    {
        for (int i = 0; i < mask.Length; i++)
        {
            float u = CounterRng.NextUniform(seed, stream, offset + (ulong)i);
            mask[i] = u < p ? (byte)0 : (byte)1;
        }
    }

    /// <summary>
    /// Fills a mask block by block (4 decisions per Philox block), 16 elements (4 blocks) per step through
    /// <see cref="CounterRng.Blocks4"/> once aligned, with an unaligned head and a short tail handled per block.
    /// </summary>
    private static void FillMask(Span<byte> mask, uint threshold, ulong seed, ulong stream, ulong offset)
    {
        int i = 0;
        int n = mask.Length;
        bool simd = CounterRng.IsBlocks4Accelerated && Vector256.IsHardwareAccelerated;
        var vThreshold = Vector256.Create((ulong)threshold);
        var one = Vector256.Create(1UL);
        while (i < n)
        {
            ulong index = offset + (ulong)i;
            int lane = (int)(index & 3);
            if (simd && lane == 0 && i + 16 <= n)
            {
                var (x0, x1, x2, x3) = CounterRng.Blocks4(seed, stream, index >> 2);
                // keep_k = (word_k >> 8) >= threshold as 0/1, packed little-endian into the low 32 bits of each lane:
                // lane l then holds the 4 mask bytes of block l in element order.
                var packed = (Vector256.GreaterThanOrEqual(x0 >> 8, vThreshold) & one)
                    | ((Vector256.GreaterThanOrEqual(x1 >> 8, vThreshold) & one) << 8)
                    | ((Vector256.GreaterThanOrEqual(x2 >> 8, vThreshold) & one) << 16)
                    | ((Vector256.GreaterThanOrEqual(x3 >> 8, vThreshold) & one) << 24);
                Vector256.Narrow(packed, packed).GetLower().AsByte().CopyTo(mask.Slice(i, 16));
                i += 16;
                continue;
            }

            var (w0, w1, w2, w3) = CounterRng.Block(seed, stream, index >> 2);
            if (lane == 0 && i + 4 <= n)
            {
                mask[i] = Keep(w0, threshold);
                mask[i + 1] = Keep(w1, threshold);
                mask[i + 2] = Keep(w2, threshold);
                mask[i + 3] = Keep(w3, threshold);
                i += 4;
                continue;
            }

            // Unaligned head or short tail: take the lanes of this block that fall inside the span.
            for (; lane < 4 && i < n; lane++, i++)
            {
                uint word = lane switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
                mask[i] = Keep(word, threshold);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Keep(uint word, uint threshold) => (word >> 8) < threshold ? (byte)0 : (byte)1;

    /// <summary>destination (=|+=) source ⊙ mask · 1/(1−p); vectorized 8 floats at a time, scalar tail.</summary>
    /// <param name="destination">Length n (n = source.Length); may alias <paramref name="source"/> exactly.</param>
    /// <param name="source">Length n.</param>
    /// <param name="mask">Length n keep(1)/drop(0) bytes.</param>
    /// <param name="p">Drop probability.</param>
    /// <param name="accumulate">Add into <paramref name="destination"/> instead of overwriting it.</param>
    internal static void ApplyMask(Span<float> destination, ReadOnlySpan<float> source, ReadOnlySpan<byte> mask, float p, bool accumulate)
    {
        // torch multiplies by the float 1/(1−p); p == 1 drops everything (avoid 0·∞).
        float scale = p >= 1f ? 0f : 1f / (1f - p);
        int n = source.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            ref byte m = ref MemoryMarshal.GetReference(mask);
            var vScale = Vector256.Create(scale);
            for (; i <= n - 8; i += 8)
            {
                // 8 mask bytes -> 8 floats (0 or 1) by zero-extension.
                var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref m, i))).AsByte();
                var shorts = Vector128.WidenLower(bytes);
                var ints = Vector256.Create(Vector128.WidenLower(shorts), Vector128.WidenUpper(shorts)).AsInt32();
                var keep = Vector256.ConvertToSingle(ints) * vScale;
                var value = Vector256.LoadUnsafe(ref src, (nuint)i) * keep;
                if (accumulate)
                {
                    value += Vector256.LoadUnsafe(ref dst, (nuint)i);
                }

                value.StoreUnsafe(ref dst, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float value = source[i] * (mask[i] * scale); // multiplicative like torch (NaN·0 stays NaN)
            destination[i] = accumulate ? destination[i] + value : value;
        }
    }
}
