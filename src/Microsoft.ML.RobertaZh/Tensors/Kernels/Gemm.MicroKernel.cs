using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// 6×16 AVX2+FMA micro-kernel: C[0..6, 0..16] (+)= Σ_p packA[p,0..6]ᵀ · packB[p,0..16] (+ bias[0..16]).
    /// </summary>
    /// <remarks>
    /// The tile lives in 12 ymm accumulators (6 rows × 2 vectors of 8); each k step loads two B vectors and
    /// broadcasts six A scalars, giving 12 independent FMAs — enough to cover FMA latency × throughput
    /// (4 cycles × 2 ports = 8 in flight) while using 15 of the 16 architectural ymm registers. This is the
    /// shape popularized by BLIS's Haswell kernels. The k loop is unrolled by four to amortize loop overhead.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16Avx2(int kc, float* pa, float* pb, float* c, nint ldc, float* bias, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<float> a, b0, b1;
        // Warm the C rows we will read-modify-write at the end while the arithmetic runs.
        for (int r = 0; r < MR; r++) Sse.Prefetch0(c + r * ldc);
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            // k step p+0: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Avx.LoadAlignedVector256(pb + 0); b1 = Avx.LoadAlignedVector256(pb + 8);
            a = Avx.BroadcastScalarToVector256(pa + 0); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Avx.BroadcastScalarToVector256(pa + 1); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Avx.BroadcastScalarToVector256(pa + 2); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Avx.BroadcastScalarToVector256(pa + 3); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Avx.BroadcastScalarToVector256(pa + 4); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Avx.BroadcastScalarToVector256(pa + 5); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            // k step p+1: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Avx.LoadAlignedVector256(pb + 16); b1 = Avx.LoadAlignedVector256(pb + 24);
            a = Avx.BroadcastScalarToVector256(pa + 6); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Avx.BroadcastScalarToVector256(pa + 7); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Avx.BroadcastScalarToVector256(pa + 8); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Avx.BroadcastScalarToVector256(pa + 9); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Avx.BroadcastScalarToVector256(pa + 10); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Avx.BroadcastScalarToVector256(pa + 11); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            // k step p+2: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Avx.LoadAlignedVector256(pb + 32); b1 = Avx.LoadAlignedVector256(pb + 40);
            a = Avx.BroadcastScalarToVector256(pa + 12); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Avx.BroadcastScalarToVector256(pa + 13); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Avx.BroadcastScalarToVector256(pa + 14); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Avx.BroadcastScalarToVector256(pa + 15); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Avx.BroadcastScalarToVector256(pa + 16); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Avx.BroadcastScalarToVector256(pa + 17); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            // k step p+3: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Avx.LoadAlignedVector256(pb + 48); b1 = Avx.LoadAlignedVector256(pb + 56);
            a = Avx.BroadcastScalarToVector256(pa + 18); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Avx.BroadcastScalarToVector256(pa + 19); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Avx.BroadcastScalarToVector256(pa + 20); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Avx.BroadcastScalarToVector256(pa + 21); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Avx.BroadcastScalarToVector256(pa + 22); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Avx.BroadcastScalarToVector256(pa + 23); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            pa += 4 * MR;
            pb += 4 * NR;
        }
        for (; p < kc; p++)
        {
            // k step p+0: load this step's B row, then rank-1 update every row with its broadcast A value.
            b0 = Avx.LoadAlignedVector256(pb + 0); b1 = Avx.LoadAlignedVector256(pb + 8);
            a = Avx.BroadcastScalarToVector256(pa + 0); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Avx.BroadcastScalarToVector256(pa + 1); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Avx.BroadcastScalarToVector256(pa + 2); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Avx.BroadcastScalarToVector256(pa + 3); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Avx.BroadcastScalarToVector256(pa + 4); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Avx.BroadcastScalarToVector256(pa + 5); c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            pa += MR;
            pb += NR;
        }
        Vector256<float> bias0 = bias == null ? default : Avx.LoadVector256(bias);
        Vector256<float> bias1 = bias == null ? default : Avx.LoadVector256(bias + 8);
        StoreRow(c + 0 * ldc, c00, c01, bias0, bias1, add);
        StoreRow(c + 1 * ldc, c10, c11, bias0, bias1, add);
        StoreRow(c + 2 * ldc, c20, c21, bias0, bias1, add);
        StoreRow(c + 3 * ldc, c30, c31, bias0, bias1, add);
        StoreRow(c + 4 * ldc, c40, c41, bias0, bias1, add);
        StoreRow(c + 5 * ldc, c50, c51, bias0, bias1, add);
    }

    /// <summary>
    /// The last, partial row tile of a 16-wide panel on AVX2: rows 0 … <paramref name="rows"/> − 1 (1–5) straight into
    /// C, each value computed exactly as <see cref="Kernel6x16Avx2"/> computes it, at a cost proportional to the rows.
    /// </summary>
    private static void KernelEdgex16Avx2(int rows, int kc, float* pa, float* pb, float* c, nint ldc, float* bias, bool add)
    {
        switch (rows)
        {
            case 1: KernelEdgex16Avx2<OneRow>(kc, pa, pb, c, ldc, bias, add); break;
            case 2: KernelEdgex16Avx2<TwoRows>(kc, pa, pb, c, ldc, bias, add); break;
            case 3: KernelEdgex16Avx2<ThreeRows>(kc, pa, pb, c, ldc, bias, add); break;
            case 4: KernelEdgex16Avx2<FourRows>(kc, pa, pb, c, ldc, bias, add); break;
            case 5: KernelEdgex16Avx2<FiveRows>(kc, pa, pb, c, ldc, bias, add); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "An edge tile has 1 to 5 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelEdgex16Avx2<TRows>(int kc, float* pa, float* pb, float* c, nint ldc, float* bias, bool add)
        where TRows : struct, IEdgeRows
    {
        int rows = TRows.Count;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default;
        Vector256<float> a, b0, b1;
        for (int p = 0; p < kc; p++)
        {
            b0 = Avx.LoadAlignedVector256(pb); b1 = Avx.LoadAlignedVector256(pb + 8);
            a = Avx.BroadcastScalarToVector256(pa); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            if (rows > 1) { a = Avx.BroadcastScalarToVector256(pa + 1); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11); }
            if (rows > 2) { a = Avx.BroadcastScalarToVector256(pa + 2); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21); }
            if (rows > 3) { a = Avx.BroadcastScalarToVector256(pa + 3); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31); }
            if (rows > 4) { a = Avx.BroadcastScalarToVector256(pa + 4); c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41); }
            pa += MR;
            pb += NR;
        }
        Vector256<float> bias0 = bias == null ? default : Avx.LoadVector256(bias);
        Vector256<float> bias1 = bias == null ? default : Avx.LoadVector256(bias + 8);
        StoreRow(c, c00, c01, bias0, bias1, add);
        if (rows > 1) StoreRow(c + ldc, c10, c11, bias0, bias1, add);
        if (rows > 2) StoreRow(c + 2 * ldc, c20, c21, bias0, bias1, add);
        if (rows > 3) StoreRow(c + 3 * ldc, c30, c31, bias0, bias1, add);
        if (rows > 4) StoreRow(c + 4 * ldc, c40, c41, bias0, bias1, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* row, Vector256<float> v0, Vector256<float> v1,
        Vector256<float> bias0, Vector256<float> bias1, bool add)
    {
        // A zero bias vector is added unconditionally: one add is cheaper than a branch per row.
        v0 = Avx.Add(v0, bias0);
        v1 = Avx.Add(v1, bias1);
        if (add)
        {
            v0 = Avx.Add(v0, Avx.LoadVector256(row));
            v1 = Avx.Add(v1, Avx.LoadVector256(row + 8));
        }
        Avx.Store(row, v0);
        Avx.Store(row + 8, v1);
    }

    /// <summary>
    /// Portable 6×16 micro-kernel on <see cref="Vector128{T}"/> (SSE2 on x64, AdvSimd on Arm64, software elsewhere),
    /// used when AVX2/FMA is missing. Same packed layout and store semantics as <see cref="Kernel6x16Avx2"/>.
    /// </summary>
    /// <remarks>
    /// The tile is done as two 6×8 halves so that 12 four-wide accumulators plus operands fit the 16 registers of
    /// SSE; the second pass re-reads the A micro-panel, which is still in L1. Multiply and add are separate
    /// (no FMA is assumed), so results differ from the FMA kernels in the last bits.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16Portable(int kc, float* paStart, float* pbStart, float* c, nint ldc, float* bias, bool add)
    {
        for (int col = 0; col < NR; col += 8)
        {
            Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            float* pa = paStart;
            float* pb = pbStart + col;
            for (int p = 0; p < kc; p++, pa += MR, pb += NR)
            {
                // One k step on this 8-column half: two B vectors, a broadcast A value per row.
                Vector128<float> b0 = Vector128.Load(pb), b1 = Vector128.Load(pb + 4), a;
                a = Vector128.Create(pa[0]); c00 += a * b0; c01 += a * b1;
                a = Vector128.Create(pa[1]); c10 += a * b0; c11 += a * b1;
                a = Vector128.Create(pa[2]); c20 += a * b0; c21 += a * b1;
                a = Vector128.Create(pa[3]); c30 += a * b0; c31 += a * b1;
                a = Vector128.Create(pa[4]); c40 += a * b0; c41 += a * b1;
                a = Vector128.Create(pa[5]); c50 += a * b0; c51 += a * b1;
            }
            StoreRow128(c + 0 * ldc + col, c00, c01, bias == null ? null : bias + col, add);
            StoreRow128(c + 1 * ldc + col, c10, c11, bias == null ? null : bias + col, add);
            StoreRow128(c + 2 * ldc + col, c20, c21, bias == null ? null : bias + col, add);
            StoreRow128(c + 3 * ldc + col, c30, c31, bias == null ? null : bias + col, add);
            StoreRow128(c + 4 * ldc + col, c40, c41, bias == null ? null : bias + col, add);
            StoreRow128(c + 5 * ldc + col, c50, c51, bias == null ? null : bias + col, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow128(float* row, Vector128<float> v0, Vector128<float> v1, float* bias, bool add)
    {
        if (bias != null)
        {
            v0 += Vector128.Load(bias);
            v1 += Vector128.Load(bias + 4);
        }
        if (add)
        {
            v0 += Vector128.Load(row);
            v1 += Vector128.Load(row + 4);
        }
        v0.Store(row);
        v1.Store(row + 4);
    }
}
