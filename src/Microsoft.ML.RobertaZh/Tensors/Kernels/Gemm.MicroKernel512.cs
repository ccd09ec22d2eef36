using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// 6×32 AVX-512F micro-kernel over two adjacent packed 16-wide B panels (the second starts 16·kc floats after
    /// the first), so it shares the packed format of the 6×16 kernels.
    /// </summary>
    /// <remarks>
    /// Same register blocking as the AVX2 kernel with vectors twice as wide: 12 zmm accumulators (6 rows × 2),
    /// two B loads and six broadcasts per k step. On cores with full-width 512-bit FMA units this doubles the
    /// arithmetic per instruction; the JIT's EVEX encoding gives 32 vector registers, so nothing spills.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x32Avx512(int kc, float* pa, float* pb0, float* c, nint ldc, float* bias, bool add)
    {
        float* pb1 = pb0 + (nint)NR * kc;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> a, b0, b1;
        for (int r = 0; r < MR; r++) { Sse.Prefetch0(c + r * ldc); Sse.Prefetch0(c + r * ldc + 16); }
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            // k step p+0: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Vector512.LoadAligned(pb0 + 0); b1 = Vector512.LoadAligned(pb1 + 0);
            a = Vector512.Create(pa[0]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[1]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[2]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[3]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[4]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[5]); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            // k step p+1: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Vector512.LoadAligned(pb0 + 16); b1 = Vector512.LoadAligned(pb1 + 16);
            a = Vector512.Create(pa[6]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[7]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[8]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[9]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[10]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[11]); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            // k step p+2: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Vector512.LoadAligned(pb0 + 32); b1 = Vector512.LoadAligned(pb1 + 32);
            a = Vector512.Create(pa[12]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[13]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[14]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[15]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[16]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[17]); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            // k step p+3: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Vector512.LoadAligned(pb0 + 48); b1 = Vector512.LoadAligned(pb1 + 48);
            a = Vector512.Create(pa[18]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[19]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[20]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[21]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[22]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[23]); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            pa += 4 * MR;
            pb0 += 4 * NR;
            pb1 += 4 * NR;
        }
        for (; p < kc; p++)
        {
            // k step p+0: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Vector512.LoadAligned(pb0 + 0); b1 = Vector512.LoadAligned(pb1 + 0);
            a = Vector512.Create(pa[0]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[1]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[2]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[3]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[4]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[5]); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            pa += MR;
            pb0 += NR;
            pb1 += NR;
        }
        Vector512<float> bias0 = bias == null ? default : Vector512.Load(bias);
        Vector512<float> bias1 = bias == null ? default : Vector512.Load(bias + 16);
        StoreRow512(c + 0 * ldc, c00, c01, bias0, bias1, add);
        StoreRow512(c + 1 * ldc, c10, c11, bias0, bias1, add);
        StoreRow512(c + 2 * ldc, c20, c21, bias0, bias1, add);
        StoreRow512(c + 3 * ldc, c30, c31, bias0, bias1, add);
        StoreRow512(c + 4 * ldc, c40, c41, bias0, bias1, add);
        StoreRow512(c + 5 * ldc, c50, c51, bias0, bias1, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512(float* row, Vector512<float> v0, Vector512<float> v1,
        Vector512<float> bias0, Vector512<float> bias1, bool add)
    {
        v0 += bias0;
        v1 += bias1;
        if (add)
        {
            v0 += Vector512.Load(row);
            v1 += Vector512.Load(row + 16);
        }
        v0.Store(row);
        v1.Store(row + 16);
    }

    /// <summary>The row count of an edge micro-kernel, as a type so the JIT compiles one specialized body per count.</summary>
    private interface IEdgeRows
    {
        static abstract int Count { get; }
    }

    private struct OneRow : IEdgeRows { public static int Count => 1; }

    private struct TwoRows : IEdgeRows { public static int Count => 2; }

    private struct ThreeRows : IEdgeRows { public static int Count => 3; }

    private struct FourRows : IEdgeRows { public static int Count => 4; }

    private struct FiveRows : IEdgeRows { public static int Count => 5; }

    /// <summary>
    /// The last, partial row tile of a 32-wide AVX-512 column panel: rows 0 … <paramref name="rows"/> − 1 (1–5) of
    /// the 6-row packed A panel, straight into C. Each value is computed exactly as <see cref="Kernel6x32Avx512"/>
    /// computes it (the same FMA chain in k order, then + bias, then + C), at a cost proportional to the rows instead of
    /// a full 6-row tile: a sequence of 128 tokens is 21 full tiles and 2 rows.
    /// </summary>
    private static void KernelEdgex32Avx512(int rows, int kc, float* pa, float* pb0, float* c, nint ldc, float* bias, bool add)
    {
        switch (rows)
        {
            case 1: KernelEdgex32Avx512<OneRow>(kc, pa, pb0, c, ldc, bias, add); break;
            case 2: KernelEdgex32Avx512<TwoRows>(kc, pa, pb0, c, ldc, bias, add); break;
            case 3: KernelEdgex32Avx512<ThreeRows>(kc, pa, pb0, c, ldc, bias, add); break;
            case 4: KernelEdgex32Avx512<FourRows>(kc, pa, pb0, c, ldc, bias, add); break;
            case 5: KernelEdgex32Avx512<FiveRows>(kc, pa, pb0, c, ldc, bias, add); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "An edge tile has 1 to 5 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelEdgex32Avx512<TRows>(int kc, float* pa, float* pb0, float* c, nint ldc, float* bias, bool add)
        where TRows : struct, IEdgeRows
    {
        // TRows.Count is a constant in each instantiation, so the rows past it and their tests compile away.
        int rows = TRows.Count;
        float* pb1 = pb0 + (nint)NR * kc;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default;
        Vector512<float> a, b0, b1;
        for (int p = 0; p < kc; p++)
        {
            b0 = Vector512.LoadAligned(pb0); b1 = Vector512.LoadAligned(pb1);
            a = Vector512.Create(pa[0]); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            if (rows > 1) { a = Vector512.Create(pa[1]); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11); }
            if (rows > 2) { a = Vector512.Create(pa[2]); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21); }
            if (rows > 3) { a = Vector512.Create(pa[3]); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31); }
            if (rows > 4) { a = Vector512.Create(pa[4]); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41); }
            pa += MR;
            pb0 += NR;
            pb1 += NR;
        }
        Vector512<float> bias0 = bias == null ? default : Vector512.Load(bias);
        Vector512<float> bias1 = bias == null ? default : Vector512.Load(bias + 16);
        StoreRow512(c, c00, c01, bias0, bias1, add);
        if (rows > 1) StoreRow512(c + ldc, c10, c11, bias0, bias1, add);
        if (rows > 2) StoreRow512(c + 2 * ldc, c20, c21, bias0, bias1, add);
        if (rows > 3) StoreRow512(c + 3 * ldc, c30, c31, bias0, bias1, add);
        if (rows > 4) StoreRow512(c + 4 * ldc, c40, c41, bias0, bias1, add);
    }
}
