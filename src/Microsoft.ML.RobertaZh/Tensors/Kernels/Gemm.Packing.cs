using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// Per-thread, 64-byte aligned packing buffers that only ever grow, so steady-state calls allocate nothing.
    /// They are native memory owned by the thread for the life of the process (a few hundred KiB to a few MiB per
    /// thread that ever ran a GEMM: the worker pool is small, and freeing on thread exit is not worth a finalizer).
    /// </summary>
    private static class PackBuffers
    {
        [ThreadStatic] private static nint t_a;
        [ThreadStatic] private static int t_aLength;
        [ThreadStatic] private static nint t_b;
        [ThreadStatic] private static int t_bLength;

        // A gets 16 floats of slack: the vectorized A packing may write 2 floats past the last panel.
        public static float* A(int length) => Get(ref t_a, ref t_aLength, length + 16);

        public static float* B(int length) => Get(ref t_b, ref t_bLength, length);

        private static float* Get(ref nint buffer, ref int capacity, int length)
        {
            if (length > capacity)
            {
                if (buffer != 0) NativeMemory.AlignedFree((void*)buffer);
                // Round up so a sequence of slightly growing requests does not reallocate every time.
                int size = Math.Max(length, 4096);
                size = (size + 4095) & ~4095;
                buffer = (nint)NativeMemory.AlignedAlloc((nuint)size * sizeof(float), 64);
                capacity = size;
            }
            return (float*)buffer;
        }
    }

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-row micro-panels: panel r holds, for each p, the MR values
    /// op(A)[ic+r·MR+i, pc+p] contiguously (i fastest). Rows past mc are zero so edge tiles need no special kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(in Problem prob, int ic, int pc, int mc, int kc, float* dst)
    {
        nint lda = prob.Lda;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (prob.TransA)
            {
                // A stored (k,m): the MR values for one p are contiguous in memory.
                float* src = prob.A + (nint)pc * lda + ic + ir;
                if (mr == MR)
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                    {
                        // 4 + 2 floats; vector moves would overlap the next panel, scalars are cheap here.
                        *(Vector128<float>*)panel = Vector128.Load(src);
                        panel[4] = src[4];
                        panel[5] = src[5];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                    {
                        for (int i = 0; i < mr; i++) panel[i] = src[i];
                        for (int i = mr; i < MR; i++) panel[i] = 0f;
                    }
                }
            }
            else
            {
                // A stored (m,k): gather one value from each of the MR rows per p; each row is read sequentially.
                float* src = prob.A + (nint)(ic + ir) * lda + pc;
                if (mr == MR)
                {
                    int p = 0;
                    if (prob.Avx2)
                    {
                        // 8 k-steps at a time through the 8×8 transpose (rows 6 and 7 are don't-care zeros).
                        // Each 8-float store overlaps the next one by 2 floats, which the next store rewrites;
                        // the last one spills 2 floats past the panel, covered by the buffer's slack.
                        for (; p + 8 <= kc; p += 8, panel += 8 * MR)
                            Transpose8x8(src + p, lda, panel, rows: MR, dstStride: MR);
                    }
                    float* r0 = src, r1 = src + lda, r2 = src + 2 * lda, r3 = src + 3 * lda, r4 = src + 4 * lda, r5 = src + 5 * lda;
                    for (; p < kc; p++, panel += MR)
                    {
                        panel[0] = r0[p]; panel[1] = r1[p]; panel[2] = r2[p];
                        panel[3] = r3[p]; panel[4] = r4[p]; panel[5] = r5[p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, panel += MR)
                    {
                        for (int i = 0; i < mr; i++) panel[i] = src[i * lda + p];
                        for (int i = mr; i < MR; i++) panel[i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-column micro-panels: panel j holds, for each p, the NR values
    /// op(B)[pc+p, jc+j·NR+t] contiguously (t fastest). Columns past nc are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in Problem prob, int pc, int jc, int nc, int kc, float* dst)
    {
        nint ldb = prob.Ldb;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + (nint)jr * kc;
            if (!prob.TransB)
            {
                // B stored (k,n): each p contributes NR contiguous values — a straight copy.
                float* src = prob.B + (nint)pc * ldb + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                    {
                        Vector256.Store(Vector256.Load(src), panel);
                        Vector256.Store(Vector256.Load(src + 8), panel + 8);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                    {
                        for (int t = 0; t < nr; t++) panel[t] = src[t];
                        for (int t = nr; t < NR; t++) panel[t] = 0f;
                    }
                }
            }
            else
            {
                // B stored (n,k): a transpose. Rows of B become columns of the panel.
                float* src = prob.B + (nint)(jc + jr) * ldb + pc;
                if (nr == NR && prob.Avx2)
                {
                    PackBTransposed16(src, ldb, kc, panel);
                }
                else
                {
                    for (int t = 0; t < nr; t++)
                    {
                        float* row = src + t * ldb;
                        for (int p = 0; p < kc; p++) panel[p * NR + t] = row[p];
                    }
                    for (int t = nr; t < NR; t++)
                    {
                        for (int p = 0; p < kc; p++) panel[p * NR + t] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Transposes a 16×kc slice of row-major B (stride ldb) into a kc×16 packed panel, 8×8 blocks at a time.</summary>
    private static void PackBTransposed16(float* src, nint ldb, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Transpose8x8(src + p, ldb, panel + p * NR, rows: 8, dstStride: NR);
            Transpose8x8(src + 8 * ldb + p, ldb, panel + p * NR + 8, rows: 8, dstStride: NR);
        }
        for (; p < kc; p++)
        {
            for (int t = 0; t < NR; t++) panel[p * NR + t] = src[t * ldb + p];
        }
    }

    /// <summary>
    /// Reads an 8×8 block (rows src + r·ld; rows at or past <paramref name="rows"/> read as zero) and writes its
    /// transpose as 8 vectors of 8 at dst + r·dstStride, in increasing r.
    /// Classic three-stage shuffle network: 32-bit unpacks, 64-bit shuffles, then 128-bit lane swaps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, int rows, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * ld), r3 = Avx.LoadVector256(src + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * ld), r5 = Avx.LoadVector256(src + 5 * ld);
        Vector256<float> r6 = rows > 6 ? Avx.LoadVector256(src + 6 * ld) : default;
        Vector256<float> r7 = rows > 7 ? Avx.LoadVector256(src + 7 * ld) : default;

        // Stage 1: interleave row pairs (per 128-bit lane): t0 = a0 b0 a1 b1 | a4 b4 a5 b5, ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // Stage 2: combine 64-bit pairs so each lane holds one column of 4 rows: s0 = a0 b0 c0 d0 | a4 b4 c4 d4.
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Stage 3: join the low lanes (columns 0–3) and the high lanes (columns 4–7) of rows 0–3 and 4–7.
        Avx.Store(dst + 0 * dstStride, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + 1 * dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
