using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Int8Gemm
{
    // Every tile kernel computes the 6×32 int32 tile acc[r, c] = Σ_g Σ_t a[r, 4g + t] · w[c, 4g + t] over `groups`
    // groups of 4 k (an even number of groups), reading 6 rows of u8 activations (stride lda) and two consecutive 16-channel packed panels
    // (QuantizedWeights layout: 64 bytes per panel and group), and writes it row-major (stride NR) to `tile`.
    // All integer arithmetic is exact (see QuantizedWeights), so every kernel writes the same tile.

    /// <summary>The specification: plain loops over the packed layout.</summary>
    private static void TileScalar(int groups, byte* a, int lda, sbyte* panels, int* tile)
    {
        for (int r = 0; r < MR; r++)
        {
            for (int c = 0; c < NR; c++)
            {
                sbyte* w = panels + (nint)(c / 16) * groups * 64 + (c % 16) * 4;
                byte* x = a + (nint)r * lda;
                int sum = 0;
                for (int g = 0; g < groups; g++)
                {
                    for (int t = 0; t < 4; t++) sum += x[4 * g + t] * w[g * 64 + t];
                }
                tile[r * NR + c] = sum;
            }
        }
    }

    /// <summary>
    /// AVX-512BW: per pair of groups (8 k), for each panel and row two vpmaddubsw (u8·s8 pairs → s16), one vpaddw (the
    /// two groups' pair sums: 4 products, |sum| ≤ 4·<see cref="MaxActivationCode"/>·<see cref="QuantizedWeights.MaxWeight"/>
    /// = 32640 &lt; 32768, so never saturating or wrapping) and one vpmaddwd with ones (→ s32): three multiplier
    /// instructions per 8 k instead of four. 12 zmm accumulators (6 rows × 2 panels). <paramref name="groups"/> is even (K is padded to 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileAvx512BW(int groups, byte* a, int lda, sbyte* panels, int* tile)
    {
        var ones = Vector512.Create((short)1);
        Vector512<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        sbyte* w0 = panels, w1 = panels + (nint)groups * 64;
        byte* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (int g = 0; g < groups; g += 2, w0 += 128, w1 += 128)
        {
            var b0 = Vector512.Load(w0);
            var b0n = Vector512.Load(w0 + 64);
            var b1 = Vector512.Load(w1);
            var b1n = Vector512.Load(w1 + 64);
            int o = 4 * g;
            Vector512<byte> x, xn;
            x = Vector512.Create(*(int*)(a0 + o)).AsByte(); xn = Vector512.Create(*(int*)(a0 + o + 4)).AsByte();
            c00 += Dot2(x, b0, xn, b0n, ones); c01 += Dot2(x, b1, xn, b1n, ones);
            x = Vector512.Create(*(int*)(a1 + o)).AsByte(); xn = Vector512.Create(*(int*)(a1 + o + 4)).AsByte();
            c10 += Dot2(x, b0, xn, b0n, ones); c11 += Dot2(x, b1, xn, b1n, ones);
            x = Vector512.Create(*(int*)(a2 + o)).AsByte(); xn = Vector512.Create(*(int*)(a2 + o + 4)).AsByte();
            c20 += Dot2(x, b0, xn, b0n, ones); c21 += Dot2(x, b1, xn, b1n, ones);
            x = Vector512.Create(*(int*)(a3 + o)).AsByte(); xn = Vector512.Create(*(int*)(a3 + o + 4)).AsByte();
            c30 += Dot2(x, b0, xn, b0n, ones); c31 += Dot2(x, b1, xn, b1n, ones);
            x = Vector512.Create(*(int*)(a4 + o)).AsByte(); xn = Vector512.Create(*(int*)(a4 + o + 4)).AsByte();
            c40 += Dot2(x, b0, xn, b0n, ones); c41 += Dot2(x, b1, xn, b1n, ones);
            x = Vector512.Create(*(int*)(a5 + o)).AsByte(); xn = Vector512.Create(*(int*)(a5 + o + 4)).AsByte();
            c50 += Dot2(x, b0, xn, b0n, ones); c51 += Dot2(x, b1, xn, b1n, ones);
        }
        c00.Store(tile + 0 * NR); c01.Store(tile + 0 * NR + 16);
        c10.Store(tile + 1 * NR); c11.Store(tile + 1 * NR + 16);
        c20.Store(tile + 2 * NR); c21.Store(tile + 2 * NR + 16);
        c30.Store(tile + 3 * NR); c31.Store(tile + 3 * NR + 16);
        c40.Store(tile + 4 * NR); c41.Store(tile + 4 * NR + 16);
        c50.Store(tile + 5 * NR); c51.Store(tile + 5 * NR + 16);
    }

    /// <summary>Two groups' u8·s8 products of each channel, summed to s32 (see <see cref="TileAvx512BW"/> for the bound).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot2(Vector512<byte> x, Vector512<sbyte> w, Vector512<byte> xn, Vector512<sbyte> wn, Vector512<short> ones) =>
        Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x, w) + Avx512BW.MultiplyAddAdjacent(xn, wn), ones);

    /// <summary>AVX2: the same as <see cref="TileAvx512BW"/> on 256-bit vectors, one 16-channel panel (6×16) at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileAvx2(int groups, byte* a, int lda, sbyte* panels, int* tile)
    {
        var ones = Vector256.Create((short)1);
        for (int half = 0; half < 2; half++)
        {
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            sbyte* w = panels + (nint)half * groups * 64;
            byte* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
            for (int g = 0; g < groups; g += 2, w += 128)
            {
                var b0 = Vector256.Load(w);      // channels 0–7 of the panel, group g
                var b1 = Vector256.Load(w + 32); // channels 8–15
                var b0n = Vector256.Load(w + 64); // the same channels, group g + 1
                var b1n = Vector256.Load(w + 96);
                int o = 4 * g;
                Vector256<byte> x, xn;
                x = Vector256.Create(*(int*)(a0 + o)).AsByte(); xn = Vector256.Create(*(int*)(a0 + o + 4)).AsByte();
                c00 += Dot2(x, b0, xn, b0n, ones); c01 += Dot2(x, b1, xn, b1n, ones);
                x = Vector256.Create(*(int*)(a1 + o)).AsByte(); xn = Vector256.Create(*(int*)(a1 + o + 4)).AsByte();
                c10 += Dot2(x, b0, xn, b0n, ones); c11 += Dot2(x, b1, xn, b1n, ones);
                x = Vector256.Create(*(int*)(a2 + o)).AsByte(); xn = Vector256.Create(*(int*)(a2 + o + 4)).AsByte();
                c20 += Dot2(x, b0, xn, b0n, ones); c21 += Dot2(x, b1, xn, b1n, ones);
                x = Vector256.Create(*(int*)(a3 + o)).AsByte(); xn = Vector256.Create(*(int*)(a3 + o + 4)).AsByte();
                c30 += Dot2(x, b0, xn, b0n, ones); c31 += Dot2(x, b1, xn, b1n, ones);
                x = Vector256.Create(*(int*)(a4 + o)).AsByte(); xn = Vector256.Create(*(int*)(a4 + o + 4)).AsByte();
                c40 += Dot2(x, b0, xn, b0n, ones); c41 += Dot2(x, b1, xn, b1n, ones);
                x = Vector256.Create(*(int*)(a5 + o)).AsByte(); xn = Vector256.Create(*(int*)(a5 + o + 4)).AsByte();
                c50 += Dot2(x, b0, xn, b0n, ones); c51 += Dot2(x, b1, xn, b1n, ones);
            }
            int* t = tile + half * 16;
            c00.Store(t + 0 * NR); c01.Store(t + 0 * NR + 8);
            c10.Store(t + 1 * NR); c11.Store(t + 1 * NR + 8);
            c20.Store(t + 2 * NR); c21.Store(t + 2 * NR + 8);
            c30.Store(t + 3 * NR); c31.Store(t + 3 * NR + 8);
            c40.Store(t + 4 * NR); c41.Store(t + 4 * NR + 8);
            c50.Store(t + 5 * NR); c51.Store(t + 5 * NR + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot2(Vector256<byte> x, Vector256<sbyte> w, Vector256<byte> xn, Vector256<sbyte> wn, Vector256<short> ones) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x, w) + Avx2.MultiplyAddAdjacent(xn, wn), ones);

    /// <summary>AVX-VNNI: vpdpbusd sums the four u8·s8 products of each lane straight into the int32 accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileAvxVnni(int groups, byte* a, int lda, sbyte* panels, int* tile)
    {
        for (int half = 0; half < 2; half++)
        {
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            sbyte* w = panels + (nint)half * groups * 64;
            byte* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
            for (int g = 0; g < groups; g++, w += 64)
            {
                var b0 = Vector256.Load(w);
                var b1 = Vector256.Load(w + 32);
                int o = 4 * g;
                Vector256<byte> x;
                x = Vector256.Create(*(int*)(a0 + o)).AsByte(); c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, b0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, b1);
                x = Vector256.Create(*(int*)(a1 + o)).AsByte(); c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, b0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, b1);
                x = Vector256.Create(*(int*)(a2 + o)).AsByte(); c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, b0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, b1);
                x = Vector256.Create(*(int*)(a3 + o)).AsByte(); c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, b0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, b1);
                x = Vector256.Create(*(int*)(a4 + o)).AsByte(); c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, b0); c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, b1);
                x = Vector256.Create(*(int*)(a5 + o)).AsByte(); c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, b0); c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, b1);
            }
            int* t = tile + half * 16;
            c00.Store(t + 0 * NR); c01.Store(t + 0 * NR + 8);
            c10.Store(t + 1 * NR); c11.Store(t + 1 * NR + 8);
            c20.Store(t + 2 * NR); c21.Store(t + 2 * NR + 8);
            c30.Store(t + 3 * NR); c31.Store(t + 3 * NR + 8);
            c40.Store(t + 4 * NR); c41.Store(t + 4 * NR + 8);
            c50.Store(t + 5 * NR); c51.Store(t + 5 * NR + 8);
        }
    }
}
