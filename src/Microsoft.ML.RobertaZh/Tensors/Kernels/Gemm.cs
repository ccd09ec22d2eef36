using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>Which micro-kernel family <see cref="Gemm"/> runs; <see cref="Auto"/> picks the fastest the CPU supports.</summary>
internal enum GemmKernel
{
    /// <summary>AVX-512F when available, else AVX2+FMA when available, else the portable kernel.</summary>
    Auto,
    /// <summary>Force the 6×16 AVX2+FMA micro-kernel (throws if the CPU lacks it).</summary>
    Avx2,
    /// <summary>Force the 6×32 AVX-512F micro-kernel, with AVX2 for edge tiles (throws if the CPU lacks either).</summary>
    Avx512,
    /// <summary>Force the portable <see cref="System.Runtime.Intrinsics.Vector128{T}"/> micro-kernel (used to test the fallback).</summary>
    Portable,
}

/// <summary>
/// Single-precision general matrix multiply on row-major matrices:
/// C[m,n] = op(A)[m,k] · op(B)[k,n] (+ C when accumulating) (+ bias[n] per row).
/// op(X) is X or Xᵀ. Leading dimensions are row strides in elements.
/// </summary>
/// <remarks>
/// The structure follows the GotoBLAS / BLIS layering (Goto &amp; van de Geijn, "Anatomy of high-performance matrix
/// multiplication", 2008; Van Zee &amp; van de Geijn, "BLIS", 2015): C is cut into column blocks of width NC, the
/// k dimension into blocks of depth KC, and rows into blocks of height MC. For each (NC, KC) block the B slice is
/// packed into contiguous NR-wide micro-panels, for each MC block the A slice into MR-tall micro-panels, and a
/// register-blocked MR×NR micro-kernel streams through both packed buffers. Packing turns every transpose
/// combination into the same inner loop, so all four forms run at about the same speed.
/// Micro-kernels: 6×32 AVX-512F (two adjacent 16-wide panels), 6×16 AVX2+FMA (also used for AVX-512 edge tiles),
/// and a portable <see cref="System.Runtime.Intrinsics.Vector128{T}"/> 6×16 fallback. Edge tiles are computed in full on the
/// zero-padded panels into a scratch tile and only the valid corner is merged into C.
/// Large products run as a dynamically scheduled task list on the thread pool (<see cref="ParallelJob"/>);
/// small ones and <c>parallel: false</c> calls run the same loop nest on the calling thread.
/// </remarks>
internal static unsafe partial class Gemm
{
    // Register tile: MR rows × NR columns per micro-panel (the AVX-512 kernel takes two panels at once, 6×32).
    // The cache blocks KC / MC / NC come from the CPU's cache sizes (GemmBlocking).
    internal const int MR = 6;
    internal const int NR = 16;

    // Below this many multiply-adds (~20 µs on one core) waking a helper and handing out tasks costs more than it saves.
    private const long ParallelThreshold = 1L << 21;

    private static readonly bool s_hasAvx2 =
        System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
    private static readonly bool s_hasAvx512 = s_hasAvx2 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>
    /// The kernel <see cref="GemmKernel.Auto"/> resolves to: the widest the CPU supports, unless the environment variable
    /// ROBERTAZH_GEMM_KERNEL names another (avx512, avx2 or portable; auto or unset keeps the default).
    /// </summary>
    internal static GemmKernel DefaultKernel { get; } = ChooseDefaultKernel();

    private static GemmKernel ChooseDefaultKernel() =>
        KernelChoice.Parse("ROBERTAZH_GEMM_KERNEL", Environment.GetEnvironmentVariable("ROBERTAZH_GEMM_KERNEL"), GemmKernel.Auto,
            s_hasAvx512 ? GemmKernel.Avx512 : s_hasAvx2 ? GemmKernel.Avx2 : GemmKernel.Portable, IsSupported);

    /// <summary>
    /// C = op(A)·op(B) (+ bias broadcast over rows), or C += op(A)·op(B) (+ bias) when <paramref name="accumulate"/>.
    /// A is stored (m,k) with stride lda, or (k,m) when <paramref name="transA"/>; B is stored (k,n) with stride ldb,
    /// or (n,k) when <paramref name="transB"/>; C is (m,n) with stride ldc. <paramref name="bias"/> is empty or length n;
    /// like <see cref="MultiplyNaive"/> it is added in both modes (callers normally pass it only when not accumulating).
    /// When <paramref name="parallel"/> is false the call runs on the calling thread only (for callers that already
    /// parallelize over independent products, such as attention over batch × heads).
    /// </summary>
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate = false,
        ReadOnlySpan<float> bias = default,
        bool parallel = true)
        => Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, parallel, GemmKernel.Auto);

    /// <summary><see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, ReadOnlySpan{float}, bool)"/> with an explicit kernel choice (tests use it to cover the fallback).</summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias, bool parallel, GemmKernel kernel)
        => Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, parallel, kernel, epilogue: null);

    /// <summary>
    /// The product followed by <paramref name="epilogue"/> on every row of C exactly once, after that row is final.
    /// When C has a single column block and the parallel job does not split columns, the epilogue runs per row block
    /// right after the block's last k block, on the thread that computed it (while the rows are still in cache);
    /// otherwise it runs over chunks of rows after the product. Either way each row sees the same arithmetic.
    /// </summary>
    internal static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias, bool parallel, GemmKernel kernel, RowBlockEpilogue? epilogue)
    {
        Debug.Assert(bias.IsEmpty || bias.Length >= n);
        CheckArguments(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, bias.Length);
        if (m == 0 || n == 0) return;
        if (kernel == GemmKernel.Auto)
            kernel = DefaultKernel;
        else if (!IsSupported(kernel))
            throw new PlatformNotSupportedException($"{kernel} is not supported on this CPU.");

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            if (k == 0)
            {
                // Empty inner dimension: the product is zero, only the bias (if any) contributes.
                FillOrAddBias(m, n, pc, ldc, bias.IsEmpty ? null : pbias, accumulate);
                epilogue?.Invoke(0, m);
                return;
            }
            var problem = new Problem(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate,
                bias.IsEmpty ? null : pbias, kernel, GemmBlocking.For(kernel));
            int threads = parallel ? ChooseThreadCount(m, n, k) : 1;
            bool fused = threads <= 1 ? RunSerial(in problem, epilogue) : RunParallel(in problem, threads, epilogue);
            if (epilogue is not null && !fused) RunEpilogue(epilogue, m, n, parallel);
        }
    }

    /// <summary>The unfused fallback: the epilogue over fixed chunks of rows, in parallel when worth it.</summary>
    private static void RunEpilogue(RowBlockEpilogue epilogue, int m, int n, bool parallel)
    {
        int rowsPerChunk = Math.Max(1, 32768 / Math.Max(1, n));
        int chunks = KernelParallel.ChunkCount(m, rowsPerChunk);
        if (!parallel || !KernelParallel.ShouldParallelize((long)m * n, chunks))
        {
            epilogue(0, m);
            return;
        }
        KernelParallel.For(chunks, c => epilogue(c * rowsPerChunk, Math.Min(rowsPerChunk, m - c * rowsPerChunk)));
    }

    /// <summary>Whether <paramref name="kernel"/> can run on this CPU.</summary>
    internal static bool IsSupported(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Avx2 => s_hasAvx2,
        GemmKernel.Avx512 => s_hasAvx512,
        _ => true,
    };

    /// <summary>The scalar specification every optimized path is checked against.</summary>
    internal static void MultiplyNaive(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                if (!bias.IsEmpty) sum += bias[j];
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }

    private static void CheckArguments(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc, int biasLength)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Dimensions must be non-negative.");
        if (m == 0 || n == 0) return;
        // Row count and row width of each operand as stored.
        (int aRows, int aCols) = transA ? (k, m) : (m, k);
        (int bRows, int bCols) = transB ? (n, k) : (k, n);
        if (aRows > 0 && aCols > 0 && (lda < aCols || (long)(aRows - 1) * lda + aCols > aLength))
            throw new ArgumentException("A is too short for its shape and leading dimension.", nameof(lda));
        if (bRows > 0 && bCols > 0 && (ldb < bCols || (long)(bRows - 1) * ldb + bCols > bLength))
            throw new ArgumentException("B is too short for its shape and leading dimension.", nameof(ldb));
        if (ldc < n || (long)(m - 1) * ldc + n > cLength)
            throw new ArgumentException("C is too short for its shape and leading dimension.", nameof(ldc));
        if (biasLength != 0 && biasLength < n)
            throw new ArgumentException("Bias must be empty or have at least n elements.", nameof(biasLength));
    }

    private static void FillOrAddBias(int m, int n, float* c, int ldc, float* bias, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            float* row = c + (nint)i * ldc;
            if (accumulate)
            {
                if (bias != null) for (int j = 0; j < n; j++) row[j] += bias[j];
            }
            else
            {
                for (int j = 0; j < n; j++) row[j] = bias != null ? bias[j] : 0f;
            }
        }
    }

    private static int ChooseThreadCount(int m, int n, int k)
    {
        long work = (long)m * n * k;
        if (work < ParallelThreshold) return 1;
        // One worker per core, but never less than the threshold's worth of arithmetic per worker.
        return (int)Math.Min(Environment.ProcessorCount, work / ParallelThreshold);
    }

    /// <summary>Pointers and flags of one GEMM; raw pointers so parallel tasks on other threads can use them.</summary>
    private readonly struct Problem
    {
        public readonly float* A, B, C, Bias;
        public readonly nint Lda, Ldb, Ldc;
        public readonly int M, N, K;
        public readonly bool TransA, TransB, Accumulate;
        public readonly GemmKernel Kernel;
        public readonly int KC, MC, NC;

        /// <summary>True when the x86 vector kernels (and the AVX packing helpers) are in use.</summary>
        public bool Avx2 => Kernel != GemmKernel.Portable;

        public Problem(bool transA, bool transB, int m, int n, int k, float* a, nint lda, float* b, nint ldb,
            float* c, nint ldc, bool accumulate, float* bias, GemmKernel kernel, GemmBlocking blocking)
        {
            TransA = transA; TransB = transB; M = m; N = n; K = k;
            A = a; Lda = lda; B = b; Ldb = ldb; C = c; Ldc = ldc;
            Accumulate = accumulate; Bias = bias; Kernel = kernel;
            KC = blocking.KC; MC = blocking.MC; NC = blocking.NC;
        }
    }

    /// <summary>
    /// The GotoBLAS loop nest on the calling thread: jc (NC) → pc (KC) → ic (MC) → macro-kernel; B's blocks come from
    /// <paramref name="prepacked"/> when given (then p.B is not read).
    /// </summary>
    /// <returns>True when <paramref name="epilogue"/> (if any) was run here, per row block.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool RunSerial(in Problem p, RowBlockEpilogue? epilogue, PrepackedB? prepacked = null)
    {
        // Rows are final after the last k block only if there is a single column block.
        bool fuse = epilogue is not null && p.N <= p.NC;
        int ncMax = Math.Min(p.NC, p.N);
        int kcMax = KBlockDepth(p.K, p.KC);
        int mBlocks = (p.M + p.MC - 1) / p.MC;
        int mcMax = ((p.M + mBlocks - 1) / mBlocks + MR - 1) / MR * MR;
        float* packA = PackBuffers.A(mcMax * kcMax);
        // A prepacked B holds every (jc, pc) block in this loop's order, each exactly what PackB writes here.
        float* packB = prepacked is null ? PackBuffers.B((int)PackedPanelsLength(ncMax, kcMax)) : prepacked.Data;

        for (int jc = 0; jc < p.N; jc += p.NC)
        {
            int nc = Math.Min(p.NC, p.N - jc);
            for (int pc = 0; pc < p.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, p.K - pc);
                if (prepacked is null) PackB(in p, pc, jc, nc, kc, packB);
                bool first = pc == 0;
                // The first k block overwrites C (and adds the bias) unless the caller asked to accumulate.
                float* bias = first && p.Bias != null ? p.Bias + jc : null;
                bool add = !first || p.Accumulate;
                for (int ic = 0; ic < p.M; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, p.M - ic);
                    PackA(in p, ic, pc, mc, kc, packA);
                    MacroKernel(mc, nc, kc, packA, packB, p.C + ic * p.Ldc + jc, p.Ldc, bias, add, p.Kernel);
                    if (fuse && pc + kc >= p.K) epilogue!(ic, mc);
                }
                if (prepacked is not null) packB += PackedPanelsLength(nc, kc);
            }
        }
        return fuse;
    }

    /// <summary>
    /// Depth of the k blocks of a product with inner dimension <paramref name="k"/> under blocks of at most
    /// <paramref name="kc"/>: k spread evenly so the last block is not a sliver (k=300 → 150+150, not 256+44). Every
    /// path (serial, parallel, prepacked B) cuts k this way, which keeps their sums in the same order, bit for bit.
    /// </summary>
    private static int KBlockDepth(int k, int kc)
    {
        int blocks = (k + kc - 1) / kc;
        return (k + blocks - 1) / blocks;
    }

    /// <summary>Floats of <paramref name="nc"/> columns × <paramref name="kc"/> k steps packed into zero-padded NR-wide panels.</summary>
    private static nint PackedPanelsLength(int nc, int kc) => (nint)((nc + NR - 1) / NR) * NR * kc;

    /// <summary>Runs the micro-kernel over every MR×NR tile of an mc×nc block of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel(int mc, int nc, int kc, float* packA, float* packB, float* c, nint ldc,
        float* bias, bool add, GemmKernel kernel)
    {
        float* edge = stackalloc float[MR * NR];
        bool avx2 = kernel != GemmKernel.Portable;
        // jr outer, ir inner: the packed B micro-panel(s) stay in L1 while the A micro-panels stream from L2.
        for (int jr = 0; jr < nc;)
        {
            float* pb = packB + (nint)jr * kc;
            float* biasTile = bias == null ? null : bias + jr;
            if (kernel == GemmKernel.Avx512 && jr + 2 * NR <= nc)
            {
                // Two adjacent 16-wide panels at once: one zmm per panel and row, a 6×32 tile.
                for (int ir = 0; ir < mc; ir += MR)
                {
                    int mr = Math.Min(MR, mc - ir);
                    float* pa = packA + (nint)ir * kc;
                    float* cTile = c + ir * ldc + jr;
                    if (mr == MR)
                    {
                        Kernel6x32Avx512(kc, pa, pb, cTile, ldc, biasTile, add);
                    }
                    else
                    {
                        KernelEdgex32Avx512(mr, kc, pa, pb, cTile, ldc, biasTile, add);
                    }
                }
                jr += 2 * NR;
                continue;
            }

            int nr = Math.Min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                float* pa = packA + (nint)ir * kc;
                float* cTile = c + ir * ldc + jr;
                if (mr == MR && nr == NR)
                {
                    if (avx2) Kernel6x16Avx2(kc, pa, pb, cTile, ldc, biasTile, add);
                    else Kernel6x16Portable(kc, pa, pb, cTile, ldc, biasTile, add);
                }
                else if (avx2 && nr == NR)
                {
                    KernelEdgex16Avx2(mr, kc, pa, pb, cTile, ldc, biasTile, add);
                }
                else
                {
                    // Partial tile: the packed panels are zero-padded, so compute the full tile into scratch
                    // and merge only the valid mr×nr corner.
                    if (avx2) Kernel6x16Avx2(kc, pa, pb, edge, NR, null, false);
                    else Kernel6x16Portable(kc, pa, pb, edge, NR, null, false);
                    MergeEdge(mr, nr, edge, cTile, ldc, biasTile, add);
                }
            }
            jr += NR;
        }
    }

    private static void MergeEdge(int mr, int nr, float* tile, float* c, nint ldc, float* bias, bool add)
    {
        for (int i = 0; i < mr; i++)
        {
            float* src = tile + i * NR;
            float* dst = c + i * ldc;
            for (int j = 0; j < nr; j++)
            {
                float v = src[j];
                if (bias != null) v += bias[j];
                dst[j] = add ? dst[j] + v : v;
            }
        }
    }
}
