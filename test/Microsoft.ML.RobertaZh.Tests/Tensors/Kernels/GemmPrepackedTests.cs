using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class GemmPrepackedTests
{
    private static readonly GemmKernel[] SupportedKernels =
        [.. new[] { GemmKernel.Avx512, GemmKernel.Avx2, GemmKernel.Portable }.Where(Gemm.IsSupported)];

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var kernel in SupportedKernels)
        {
            data.Add(kernel.ToString(), true);
            data.Add(kernel.ToString(), false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrepackedProductIsBitIdenticalToTheSerialProduct(string kernelName, bool transB)
    {
        // The specification is Gemm.Multiply on the unpacked B with parallel: false (itself checked against a double
        // reference in GemmTests). Shapes: degenerate 1s, rows not a multiple of the 6-row tile, columns not a multiple
        // of the 16/32-wide panels, k over several k blocks with an uneven split, a BERT-mini sequence's Q/K/V product;
        // with the CPU's blocks and with tiny blocks (many column, k and row blocks). One PrepackedB is refilled for
        // every shape, growing and shrinking, and A and C have strides wider than their rows.
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        using var packed = new Gemm.PrepackedB();
        var saved = GemmBlocking.Override;
        try
        {
            foreach (var blocking in new GemmBlocking?[] { null, new GemmBlocking(KC: 16, MC: 12, NC: 48) })
            {
                GemmBlocking.Override = blocking;
                foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 17), (128, 768, 256), (13, 100, 300), (130, 50, 70), (64, 1024, 256), (5, 17, 3) })
                {
                    int lda = k + 3, ldc = n + 5, ldb = transB ? k + 2 : n + 2;
                    float[] a = ReferenceGemm.RandomFloats(m * lda, m + n);
                    float[] b = ReferenceGemm.RandomFloats(transB ? n * ldb : k * ldb, n + k);
                    float[] bias = ReferenceGemm.RandomFloats(n, k);
                    var expected = ReferenceGemm.RandomFloats(m * ldc, 7); // stale values in the gaps must survive
                    var actual = (float[])expected.Clone();
                    Gemm.Multiply(false, transB, m, n, k, a, lda, b, ldb, expected, ldc, accumulate: false, bias, parallel: false, kernel);
                    packed.Pack(transB, n, k, b, ldb, kernel);
                    Gemm.MultiplyPrepacked(m, a, lda, packed, actual, ldc, bias);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{m}x{n}x{k}, blocks {blocking?.ToString() ?? "of the CPU"}");
                }
            }
        }
        finally
        {
            GemmBlocking.Override = saved;
        }
    }

    [Fact]
    public void EpilogueSeesEveryFinishedRowOnce()
    {
        // One column block (fused per row block, with rows over several row blocks) and several (run after the product).
        var saved = GemmBlocking.Override;
        try
        {
            GemmBlocking.Override = new GemmBlocking(KC: 16, MC: 12, NC: 48);
            foreach (int n in new[] { 40, 100 })
            {
                int m = 50, k = 37;
                float[] a = ReferenceGemm.RandomFloats(m * k, 1), w = ReferenceGemm.RandomFloats(n * k, 2);
                var expected = new float[m * n];
                Gemm.Multiply(false, true, m, n, k, a, k, w, k, expected, n, parallel: false);
                using var packed = new Gemm.PrepackedB();
                packed.Pack(true, n, k, w, k);
                var c = new float[m * n];
                var seen = new int[m];
                Gemm.MultiplyPrepacked(m, a, k, packed, c, n, default, (first, count) =>
                {
                    for (int r = first; r < first + count; r++)
                    {
                        seen[r]++;
                        // The row is final when the epilogue sees it.
                        Assert.True(expected.AsSpan(r * n, n).SequenceEqual(c.AsSpan(r * n, n)), $"row {r} not final");
                    }
                });
                Assert.All(seen, count => Assert.Equal(1, count));
                Assert.Equal(expected, c);
            }
        }
        finally
        {
            GemmBlocking.Override = saved;
        }
    }

    [Fact]
    public void BadUseIsRefusedClearly()
    {
        using var packed = new Gemm.PrepackedB();
        var c = new float[4];
        var unpacked = Assert.Throws<InvalidOperationException>(() => Gemm.MultiplyPrepacked(1, new float[1], 1, packed, c, 4, default));
        Assert.Contains("Nothing has been packed", unpacked.Message);
        Assert.Throws<ArgumentException>(() => packed.Pack(true, 4, 3, new float[11], 3)); // B (4, 3) needs 12 values
        Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(true, 0, 3, new float[12], 3));
        packed.Pack(true, 4, 3, new float[12], 3);
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyPrepacked(2, new float[5], 3, packed, new float[8], 4, default)); // A (2, 3) needs 6
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyPrepacked(2, new float[6], 3, packed, new float[7], 4, default)); // C (2, 4) needs 8
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyPrepacked(2, new float[6], 3, packed, new float[8], 4, new float[3])); // bias of 4
        packed.Dispose();
        Assert.Throws<InvalidOperationException>(() => Gemm.MultiplyPrepacked(1, new float[3], 3, packed, c, 4, default));
    }
}
