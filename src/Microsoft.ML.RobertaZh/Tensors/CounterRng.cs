using System.Runtime.CompilerServices;

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
