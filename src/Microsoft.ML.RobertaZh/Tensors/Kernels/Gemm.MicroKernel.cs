using System.Numerics;
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
    /// Portable 6×16 micro-kernel with <see cref="Vector{T}"/> (any width dividing 16: 4, 8 or 16 lanes), used
    /// when AVX2/FMA is missing. Same packed layout and store semantics as <see cref="Kernel6x16Avx2"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16Portable(int kc, float* pa, float* pb, float* c, nint ldc, float* bias, bool add)
    {
        int width = Vector<float>.Count;
        int perRow = NR / width;
        // Accumulators in a small stack array: the JIT cannot keep a variable number of vectors in registers.
        Vector<float>* acc = stackalloc Vector<float>[MR * NR / Math.Min(width, NR)];
        for (int i = 0; i < MR * perRow; i++) acc[i] = Vector<float>.Zero;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR)
        {
            for (int r = 0; r < MR; r++)
            {
                var av = new Vector<float>(pa[r]);
                Vector<float>* accRow = acc + r * perRow;
                for (int j = 0; j < perRow; j++) accRow[j] += av * *(Vector<float>*)(pb + j * width);
            }
        }
        float* sums = (float*)acc;
        for (int r = 0; r < MR; r++)
        {
            float* row = c + r * ldc;
            float* sumRow = sums + r * NR;
            for (int j = 0; j < NR; j++)
            {
                float v = sumRow[j];
                if (bias != null) v += bias[j];
                row[j] = add ? row[j] + v : v;
            }
        }
    }
}
