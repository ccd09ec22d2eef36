using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors;

/// <summary>
/// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
/// 1, 2, 3", SC 2011). Each call maps a 128-bit counter and a 64-bit key to four independent 32-bit words, with no
/// state, so the value for element i depends only on (seed, stream, i) and any chunking or thread count reproduces it.
/// <para>
/// Layout used throughout the engine: key = seed (low word first), counter = (i / 4 as a 64-bit block index, low word
/// first; stream, low word first); element i takes output word i mod 4. Checked against the Random123 known-answer
/// vectors in the tests.
/// </para>
/// </summary>
internal static class CounterRng
{
    // Multipliers and Weyl key increments of Philox4x32 as published by its authors.
    private const uint M0 = 0xD2511F53u;
    private const uint M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u;
    private const uint W1 = 0xBB67AE85u;

    /// <summary>
    /// One Philox4x32-10 block: counter words (c0, c1, c2, c3), key words (k0, k1); returns the four output words.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Philox4x32(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            // Each round: two 32x32->64 products; the high halves are mixed with the other words and the key.
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            uint n3 = (uint)p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }

        return (c0, c1, c2, c3);
    }

    /// <summary>True when <see cref="Blocks4"/> runs on AVX2 (otherwise it is the scalar loop).</summary>
    public static bool IsBlocks4Accelerated => Avx2.IsSupported;

    /// <summary>
    /// Four consecutive blocks <paramref name="firstBlock"/> … firstBlock + 3 at once. Lane l of output word k holds word k of
    /// block firstBlock + l, zero-extended to 64 bits. With AVX2 the 32×32→64 products of all four blocks are one
    /// vpmuludq each; the result is bit-identical to <see cref="Block"/>.
    /// </summary>
    public static (Vector256<ulong> X0, Vector256<ulong> X1, Vector256<ulong> X2, Vector256<ulong> X3) Blocks4(ulong seed, ulong stream, ulong firstBlock)
    {
        if (!Avx2.IsSupported)
        {
            var (a0, a1, a2, a3) = Block(seed, stream, firstBlock);
            var (b0, b1, b2, b3) = Block(seed, stream, firstBlock + 1);
            var (c0s, c1s, c2s, c3s) = Block(seed, stream, firstBlock + 2);
            var (d0, d1, d2, d3) = Block(seed, stream, firstBlock + 3);
            return (Vector256.Create((ulong)a0, b0, c0s, d0), Vector256.Create((ulong)a1, b1, c1s, d1), Vector256.Create((ulong)a2, b2, c2s, d2), Vector256.Create((ulong)a3, b3, c3s, d3));
        }

        var low = Vector256.Create(0xFFFFFFFFUL);
        var index = Vector256.Create(firstBlock) + Vector256.Create(0UL, 1UL, 2UL, 3UL);
        var c0 = index & low;
        var c1 = index >> 32;
        var c2 = Vector256.Create((ulong)(uint)stream);
        var c3 = Vector256.Create(stream >> 32);
        var m0 = Vector256.Create((ulong)M0).AsUInt32();
        var m1 = Vector256.Create((ulong)M1).AsUInt32();
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var p0 = Avx2.Multiply(c0.AsUInt32(), m0);
            var p1 = Avx2.Multiply(c2.AsUInt32(), m1);
            var n0 = (p1 >> 32) ^ c1 ^ Vector256.Create((ulong)k0);
            var n2 = (p0 >> 32) ^ c3 ^ Vector256.Create((ulong)k1);
            c1 = p1 & low;
            c3 = p0 & low;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }

        return (c0, c1, c2, c3);
    }

    /// <summary>The four 32-bit words of block <paramref name="block"/> (elements 4·block … 4·block+3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Block(ulong seed, ulong stream, ulong block) =>
        Philox4x32((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32), (uint)seed, (uint)(seed >> 32));

    /// <summary>The 32-bit random word for element <paramref name="index"/> of (<paramref name="seed"/>, <paramref name="stream"/>).</summary>
    public static uint Next32(ulong seed, ulong stream, ulong index)
    {
        var (x0, x1, x2, x3) = Block(seed, stream, index >> 2);
        return (index & 3) switch
        {
            0 => x0,
            1 => x1,
            2 => x2,
            _ => x3,
        };
    }

    /// <summary>Uniform float in [0, 1) with 24 random bits for element <paramref name="index"/>.</summary>
    public static float NextUniform(ulong seed, ulong stream, ulong index) => ToUniform(Next32(seed, stream, index));

    /// <summary>Maps a 32-bit word to [0, 1) using its top 24 bits (exactly representable in float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUniform(uint word) => (word >> 8) * (1f / 16777216f);
}
