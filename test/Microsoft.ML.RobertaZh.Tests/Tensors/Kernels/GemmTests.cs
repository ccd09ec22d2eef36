using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class GemmTests
{
    // Shapes (m, n, k) chosen to hit: degenerate 1s, sizes that are not multiples of the 6×16 tile, exact tiles,
    // k beyond one KC block (256) with an uneven split, m beyond one MC block (192), n beyond one NC block (3072),
    // and products big enough to take the multi-threaded path (m·n·k ≥ 2^21).
    public static readonly TheoryData<int, int, int> Shapes = new()
    {
        { 1, 1, 1 }, { 1, 17, 5 }, { 5, 1, 7 }, { 7, 5, 1 }, { 6, 16, 8 }, { 15, 17, 33 }, { 17, 33, 15 },
        { 33, 65, 127 }, { 65, 127, 257 }, { 127, 15, 300 }, { 257, 33, 65 }, { 12, 32, 513 },
        { 400, 7, 5 }, { 5, 3100, 9 }, { 14, 3105, 4 }, { 130, 129, 128 }, { 7, 1000, 400 },
    };

    // Every kernel family this CPU can run, each forced explicitly (Auto would only ever test the widest one);
    // the portable kernel runs everywhere, so the fallback path is always covered.
    private static readonly GemmKernel[] SupportedKernels =
        [.. new[] { GemmKernel.Avx512, GemmKernel.Avx2, GemmKernel.Portable }.Where(Gemm.IsSupported)];

    public static TheoryData<bool, bool, int, int, int, string> Cases()
    {
        var data = new TheoryData<bool, bool, int, int, int, string>();
        foreach (var row in Shapes)
        {
            var (m, n, k) = ((int)row[0], (int)row[1], (int)row[2]);
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var kernel in SupportedKernels)
                        data.Add(ta, tb, m, n, k, kernel.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDoubleReference(bool transA, bool transB, int m, int n, int k, string kernel)
    {
        // Cycle the flags through the case list deterministically so every combination of accumulate, bias and
        // parallel is seen for several shapes without multiplying the number of cases by eight.
        int salt = m * 31 + n * 7 + k + (transA ? 1 : 0) + (transB ? 2 : 0);
        bool accumulate = (salt & 1) != 0, withBias = (salt & 2) != 0, parallel = (salt & 4) == 0;
        CheckAgainstReference(transA, transB, m, n, k, accumulate, withBias, parallel,
            Enum.Parse<GemmKernel>(kernel), seed: salt);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AllFlagCombinationsOnOddShape(bool accumulate, bool withBias)
    {
        foreach (bool parallel in new[] { false, true })
            foreach (var kernel in SupportedKernels)
                CheckAgainstReference(true, false, 67, 45, 701, accumulate, withBias, parallel, kernel, seed: 3);
    }

    [Fact]
    public void AttentionSizedProductsMatchReference()
    {
        // The shapes attention runs single-threaded per head: Q·Kᵀ (128×128×64) and P·V (128×64×128).
        CheckAgainstReference(false, true, 128, 128, 64, false, false, parallel: false, GemmKernel.Auto, seed: 11);
        CheckAgainstReference(false, false, 128, 64, 128, false, false, parallel: false, GemmKernel.Auto, seed: 12);
    }

    [Fact]
    public void ParallelAndSerialAreBitwiseIdentical()
    {
        // Parallel tasks run the same blocked loop in the same k order, so threading must not change a single bit.
        // The last shapes have several column blocks (n > 3072) and k blocks, i.e. many dependent phases, and the
        // thin ones are split into column chunks.
        foreach (var (m, n, k) in new[] { (301, 95, 257), (40, 700, 257), (50, 3200, 600), (7, 3300, 300) })
        {
            float[] a = ReferenceGemm.RandomFloats(m * k, 1), b = ReferenceGemm.RandomFloats(k * n, 2);
            var serial = new float[m * n];
            var threaded = new float[m * n];
            Gemm.Multiply(false, false, m, n, k, a, k, b, n, serial, n, parallel: false);
            Gemm.Multiply(false, false, m, n, k, a, k, b, n, threaded, n, parallel: true);
            Assert.Equal(serial, threaded);
        }
    }

    [Fact]
    public void RowsOfAPartialTileAreBitIdenticalToTheSameRowsOfAFullTile()
    {
        // Rows past the last multiple of 6 go through the edge kernels (on AVX-512: one per row count 1–5); a row must
        // get the same bits wherever it falls, since the inference passes cut the same rows differently (per sequence,
        // per 64-row block, or the whole batch). Each product of m = 1 … 11 rows against the first m rows of m = 12,
        // with and without bias, overwriting and accumulating.
        const int n = 70, k = 45;
        float[] a = ReferenceGemm.RandomFloats(12 * k, 1), b = ReferenceGemm.RandomFloats(n * k, 2), bias = ReferenceGemm.RandomFloats(n, 3);
        float[] start = ReferenceGemm.RandomFloats(12 * n, 4);
        foreach (var kernel in SupportedKernels)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                foreach (bool withBias in new[] { false, true })
                {
                    var full = (float[])start.Clone();
                    Gemm.Multiply(false, true, 12, n, k, a, k, b, k, full, n, accumulate, withBias ? bias : default, parallel: false, kernel);
                    for (int m = 1; m < 12; m++)
                    {
                        var part = (float[])start.Clone();
                        Gemm.Multiply(false, true, m, n, k, a, k, b, k, part, n, accumulate, withBias ? bias : default, parallel: false, kernel);
                        Assert.True(full.AsSpan(0, m * n).SequenceEqual(part.AsSpan(0, m * n)), $"{kernel}, {m} rows, accumulate {accumulate}, bias {withBias}");
                        Assert.True(start.AsSpan(m * n).SequenceEqual(part.AsSpan(m * n)), "rows past m untouched");
                    }
                }
            }
        }
    }

    [Fact]
    public void SerialCallsDoNotAllocateInSteadyState()
    {
        // Attention calls Gemm thousands of times per step with parallel: false; packing buffers must be reused.
        float[] a = ReferenceGemm.RandomFloats(128 * 64, 1), b = ReferenceGemm.RandomFloats(128 * 64, 2);
        var c = new float[128 * 128];
        Gemm.Multiply(false, true, 128, 128, 64, a, 64, b, 64, c, 128, parallel: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Gemm.Multiply(false, true, 128, 128, 64, a, 64, b, 64, c, 128, parallel: false);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SmallProductMatchesHandComputed()
    {
        float[] a = [1, 2, 3, 4, 5, 6];       // 2x3
        float[] b = [7, 8, 9, 10, 11, 12];    // 3x2
        var c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2);
        Assert.Equal([58f, 64f, 139f, 154f], c);
        Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2, accumulate: true, bias: [1f, -1f]);
        Assert.Equal([117f, 127f, 279f, 307f], c);
    }

    [Fact]
    public void ZeroInnerDimensionWritesBiasOrLeavesC()
    {
        var c = new float[] { 5, 5, 5, 5, 5, 5 };
        Gemm.Multiply(false, false, 2, 3, 0, [], 1, [], 3, c, 3);
        Assert.Equal(new float[6], c);
        Gemm.Multiply(false, false, 2, 3, 0, [], 1, [], 3, c, 3, bias: [1f, 2f, 3f]);
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], c);
        Gemm.Multiply(false, false, 2, 3, 0, [], 1, [], 3, c, 3, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], c);
    }

    [Fact]
    public void EmptyOutputIsANoOp()
    {
        Gemm.Multiply(false, false, 0, 5, 3, [], 3, new float[15], 5, [], 5);
        Gemm.Multiply(true, true, 4, 0, 3, new float[12], 4, [], 3, [], 0);
    }

    [Fact]
    public void RejectsBuffersTooShortForTheirShape()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, new float[3], 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, new float[5], 3, b, 2, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 2, b, 2, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 2, 3, a, 3, new float[5], 3, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, a, 3, b, 2, c, 2, bias: [1f]));
    }

    [Fact]
    public void NaiveSpecificationMatchesReference()
    {
        // The scalar specification is kept as documentation; make sure it stays right too.
        int m = 7, n = 5, k = 9;
        float[] a = ReferenceGemm.RandomFloats(k * m, 4), b = ReferenceGemm.RandomFloats(n * k, 5);
        var c = new float[m * n];
        Gemm.MultiplyNaive(true, true, m, n, k, a, m, b, k, c, n, false, default);
        var (expected, magnitude) = ReferenceGemm.Multiply(true, true, m, n, k, a, m, b, k, c, n, false, null);
        for (int i = 0; i < m * n; i++) Assert.True(Math.Abs(c[i] - expected[i]) <= Tolerance(k, magnitude[i]));
    }

    /// <summary>
    /// Rigorous worst-case bound for a float sum of k products, computed with or without FMA and split into k blocks:
    /// each term passes through at most k + 3 roundings (its product, the in-kernel sums, the block merges, bias and
    /// the accumulate add), so |error| ≤ γ(k+3)·Σ|terms| with γ(j) ≈ j·2⁻²⁴ (Higham, "Accuracy and Stability of
    /// Numerical Algorithms", §3.1). A factor 2 covers the 1/(1−j·u) denominator and the double reference's own
    /// rounding. A wrong or missing term is off by ~|a·b| ≫ this bound, so the tests still fail on real bugs.
    /// </summary>
    internal static double Tolerance(int k, double magnitude) => 2.0 * (k + 3) * Math.Pow(2, -24) * magnitude + 1e-30;

    private static void CheckAgainstReference(bool transA, bool transB, int m, int n, int k,
        bool accumulate, bool withBias, bool parallel, GemmKernel kernel, int seed)
    {
        // Non-trivial leading dimensions: every operand row is padded, and C's padding must survive untouched.
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
        float[] a = ReferenceGemm.RandomFloats((transA ? k : m) * lda, seed);
        float[] b = ReferenceGemm.RandomFloats((transB ? n : k) * ldb, seed + 1);
        float[] c = ReferenceGemm.RandomFloats(m * ldc, seed + 2);
        float[]? bias = withBias ? ReferenceGemm.RandomFloats(n, seed + 3) : null;
        float[] before = (float[])c.Clone();
        var (expected, magnitude) = ReferenceGemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, before, ldc, accumulate, bias);

        Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, parallel, kernel);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                float actual = c[i * ldc + j];
                if (j >= n)
                {
                    Assert.True(actual == before[i * ldc + j], $"padding C[{i},{j}] was overwritten");
                    continue;
                }
                double want = expected[i * n + j];
                double tol = Tolerance(k, magnitude[i * n + j]);
                Assert.True(Math.Abs(actual - want) <= tol,
                    $"C[{i},{j}] = {actual}, expected {want} ± {tol} (transA={transA}, transB={transB}, m={m}, n={n}, k={k}, " +
                    $"acc={accumulate}, bias={withBias}, parallel={parallel}, kernel={kernel})");
            }
        }
    }
}
