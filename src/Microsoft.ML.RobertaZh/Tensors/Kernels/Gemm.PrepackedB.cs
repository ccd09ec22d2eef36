using System.Runtime.InteropServices;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// op(B) of a product packed once into the micro-panels the serial loop nest reads, for many products with the same
    /// B and different A — a layer's weights multiplied sequence by sequence at inference, where packing B on every
    /// call would repeat the same work per sequence. Holds native memory that only grows; <see cref="Pack"/> refills it.
    /// </summary>
    internal sealed class PrepackedB : IDisposable
    {
        private float* _data;
        private long _capacity;

        /// <summary>Columns of op(B) (output channels).</summary>
        public int N { get; private set; }

        /// <summary>Rows of op(B) (the inner dimension).</summary>
        public int K { get; private set; }

        /// <summary>The micro-kernel family the panels were laid out for.</summary>
        internal GemmKernel Kernel { get; private set; }

        /// <summary>The cache blocks the panels were cut by (products with this B use them).</summary>
        internal GemmBlocking Blocking { get; private set; } = GemmBlocking.For(GemmKernel.Portable);

        /// <summary>The packed blocks: for each NC column block, for each k block, its NR-wide panels.</summary>
        internal float* Data => _data != null ? _data : throw NotPacked();

        /// <summary>Whether a matrix has been packed (and the buffer not disposed since).</summary>
        public bool IsPacked => _data != null;

        internal static InvalidOperationException NotPacked() =>
            new("Nothing has been packed into this PrepackedB yet, or it was disposed: call Pack first.");

        /// <summary>
        /// Packs op(B) — B stored (k, n) with stride <paramref name="ldb"/>, or (n, k) when <paramref name="transB"/> (an
        /// nn.Linear weight) — for <paramref name="kernel"/> and the blocking in force on this thread.
        /// </summary>
        public void Pack(bool transB, int n, int k, ReadOnlySpan<float> b, int ldb, GemmKernel kernel = GemmKernel.Auto)
        {
            KernelGuard.Positive(n, nameof(n));
            KernelGuard.Positive(k, nameof(k));
            CheckArguments(false, transB, 1, n, k, k, k, b.Length, ldb, n, n, 0);
            if (kernel == GemmKernel.Auto) kernel = DefaultKernel;
            else if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"{kernel} is not supported on this CPU.");
            var blocking = GemmBlocking.For(kernel);
            int kcMax = KBlockDepth(k, blocking.KC);
            // Every column block is padded to whole NR panels; its k blocks together are k deep.
            long length = 0;
            for (int jc = 0; jc < n; jc += blocking.NC) length += PackedPanelsLength(Math.Min(blocking.NC, n - jc), k);
            Reserve(length);
            N = n;
            K = k;
            Kernel = kernel;
            Blocking = blocking;
            fixed (float* pb = b)
            {
                var problem = new Problem(false, transB, 0, n, k, null, 0, pb, ldb, null, 0, false, null, kernel, blocking);
                float* dst = _data;
                for (int jc = 0; jc < n; jc += blocking.NC)
                {
                    int nc = Math.Min(blocking.NC, n - jc);
                    for (int pc = 0; pc < k; pc += kcMax)
                    {
                        int kc = Math.Min(kcMax, k - pc);
                        PackB(in problem, pc, jc, nc, kc, dst);
                        dst += PackedPanelsLength(nc, kc);
                    }
                }
            }
        }

        private void Reserve(long length)
        {
            if (length <= _capacity) return;
            FreeData();
            _data = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
            _capacity = length;
        }

        private void FreeData()
        {
            if (_data != null) NativeMemory.AlignedFree(_data);
            _data = null;
            _capacity = 0;
            N = K = 0;
        }

        /// <summary>Frees the panels.</summary>
        public void Dispose()
        {
            FreeData();
            GC.SuppressFinalize(this);
        }

        /// <summary>Frees the panels if <see cref="Dispose"/> was not called.</summary>
        ~PrepackedB() => FreeData();
    }

    /// <summary>
    /// C (m, b.N) = A (m, b.K) · op(B) + bias, with op(B) from <paramref name="b"/>, on the calling thread, then
    /// <paramref name="epilogue"/> on every row exactly once. The same loop nest, blocks and micro-kernels as
    /// <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, ReadOnlySpan{float}, bool)"/>
    /// with <c>parallel: false</c> on the unpacked B, so the same bits. A is row-major with stride <paramref name="lda"/>.
    /// </summary>
    internal static void MultiplyPrepacked(int m, ReadOnlySpan<float> a, int lda, PrepackedB b, Span<float> c, int ldc, ReadOnlySpan<float> bias,
        RowBlockEpilogue? epilogue = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (!b.IsPacked) throw PrepackedB.NotPacked();
        int n = b.N, k = b.K;
        // B is already packed: checked as the (n, k) matrix it was packed from.
        CheckArguments(false, true, m, n, k, a.Length, lda, n * k, k, c.Length, ldc, bias.Length);
        if (m == 0) return;
        fixed (float* pa = a)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var problem = new Problem(false, false, m, n, k, pa, lda, null, 0, pc, ldc, false, bias.IsEmpty ? null : pbias, b.Kernel, b.Blocking);
            bool fused = RunSerial(in problem, epilogue, b);
            if (epilogue is not null && !fused) epilogue(0, m);
        }
    }
}
